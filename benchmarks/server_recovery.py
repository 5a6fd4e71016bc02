"""How fast a kernel notices a lost dev server and gets it back, and what the check costs.

In one process (the way a kernel holds them): a client from ``connect()``, a running worker and a
greeter workflow. Three parts, medians printed for each:

1. Same port: the server is killed with SIGKILL and started again. The time until the worker's
   status says the server is unreachable, the restart, and the time until the status says it is back.
2. Back on the same port vs on another port, side by side: the server is stopped and the notebook's
   first cell (``connect()``) is re-run. For "another port" a process that accepts connections and
   never answers holds the old port meanwhile, so the server comes back elsewhere. The times from
   the re-run until the worker polls the server again, and until an update (sent after a signal)
   is answered.
3. An update awaited while the server is away (its port held as above): the time until the cell
   gets the one line that says so.

Then the median cost of the check ``connect()`` makes before reusing its cached client.

    .venv/bin/python benchmarks/server_recovery.py [--rounds 5]

Uses a dev server of its own (state dir under /tmp, stopped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import tempfile
import time
from collections.abc import Iterator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _until(condition, timeout: float = 60.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError("gave up")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


@contextlib.contextmanager
def _silent_listener(port: int | None) -> Iterator[None]:
    """Another process's listener on the old port: accepts connections, never answers."""
    if port is None:
        yield
        return
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen(64)
        yield


async def _polled(client, queue: str, identity: str) -> bool:
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        request = DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=queue), task_queue_type=kind
        )
        answer = await client.workflow_service.describe_task_queue(request)
        if not any(p.identity == identity for p in answer.pollers):
            return False
    return True


async def main(rounds: int) -> None:
    from temporal_notebooks.activities.signals import GreeterInput, format_greeting
    from temporal_notebooks.runtime import connection, devserver
    from temporal_notebooks.runtime.errors import ServerAwayError
    from temporal_notebooks.runtime.worker import start_worker, stop_all_workers
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    queue = "recovery-bench"
    client = await connection.connect(quiet=True)
    worker = await start_worker(
        client, queue, workflows=[GreeterWorkflow], activities=[format_greeting], show_status=False
    )
    greeter = await client.start_workflow(
        GreeterWorkflow.run, GreeterInput("Hello"), id="recovery-greeter", task_queue=queue
    )
    noticed, restarts, back = [], [], []
    rerun: dict[str, dict[str, list[float]]] = {}
    away = []
    try:
        for _ in range(rounds):
            record = devserver.status()
            os.kill(record.pid, signal.SIGKILL)
            noticed.append(await _until(lambda: worker.server_problem is not None))
            started = time.monotonic()
            again = await asyncio.to_thread(devserver.ensure_running)
            restarts.append(time.monotonic() - started)
            assert again.port == record.port, "back on the preferred port"
            back.append(await _until(lambda: worker.server_problem is None))
        for case in ("same port", "another port"):
            figures = rerun.setdefault(case, {"polled": [], "answered": []})
            for index in range(rounds):
                old = devserver.status()
                await asyncio.to_thread(devserver.stop)
                with _silent_listener(old.port if case == "another port" else None):
                    started = time.monotonic()
                    await connection.connect(quiet=True)  # the notebook's first cell, re-run
                    now = devserver.status()
                    assert (now.port == old.port) == (case == "same port"), (case, old.port, now.port)
                    while not await _polled(client, queue, worker.identity):
                        await asyncio.sleep(0.05)
                    figures["polled"].append(time.monotonic() - started)
                    await greeter.signal(GreeterWorkflow.submit_greeting, f"{case} {index}")
                    await greeter.execute_update(GreeterWorkflow.settled_state)
                    figures["answered"].append(time.monotonic() - started)
        for _ in range(rounds):
            old = devserver.status()
            await asyncio.to_thread(devserver.stop)
            with _silent_listener(old.port):
                started = time.monotonic()
                with contextlib.suppress(ServerAwayError):
                    await greeter.execute_update(GreeterWorkflow.settled_state)
                away.append(time.monotonic() - started)
                await connection.connect(quiet=True)
        checks = []
        for _ in range(50):
            started = time.perf_counter()
            await connection.server_healthy(client)
            checks.append((time.perf_counter() - started) * 1000)
    finally:
        with contextlib.suppress(Exception):
            await greeter.terminate()
        await stop_all_workers()
        devserver.stop()
    print(f"rounds: {rounds} (medians; max in brackets)")
    print("1. same port, SIGKILL then ensure_running:")
    print(f"   kill → status unreachable: {statistics.median(noticed):.2f} s ({max(noticed):.2f})")
    print(f"   restart until the port accepts: {statistics.median(restarts):.2f} s")
    print(f"   restart done → status says back: {statistics.median(back):.2f} s ({max(back):.2f})")
    print("2. server stopped, first cell re-run; the clock starts at the re-run:")
    for case, figures in rerun.items():
        polled, answered = figures["polled"], figures["answered"]
        print(
            f"   {case:>12}: worker polls it after {statistics.median(polled):.2f} s ({max(polled):.2f}), "
            f"signal + update answered after {statistics.median(answered):.2f} s ({max(answered):.2f})"
        )
    print(f"3. update awaited, server away → one line: {statistics.median(away):.2f} s ({max(away):.2f})")
    print(f"connect()'s check of a cached client: median {statistics.median(checks):.2f} ms (50 calls)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    if not os.environ.get("TEMPORAL_NOTEBOOKS_HOME"):
        os.environ["TEMPORAL_NOTEBOOKS_HOME"] = tempfile.mkdtemp(prefix="recovery-bench-")
        os.environ.setdefault("TEMPORAL_NOTEBOOKS_PORT", str(_free_port()))
        os.environ.setdefault("TEMPORAL_NOTEBOOKS_UI_PORT", str(_free_port()))
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(lambda: asyncio.run(main(options.rounds)))
