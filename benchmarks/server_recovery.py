"""How fast a kernel notices a lost dev server and gets it back, and what the check costs.

In one process (the way a kernel holds them): a client from ``connect()`` and a running worker. The
server is killed with SIGKILL, then started again; the script prints, per round, the time until the
worker's status says the server is unreachable, the restart time (back on the preferred port), and
the time until the status says it is back; then the median cost of the check ``connect()`` makes
before reusing its cached client.

    .venv/bin/python benchmarks/server_recovery.py [--rounds 5]

Uses a dev server of its own (state dir under /tmp, stopped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import tempfile
import time


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


async def main(rounds: int) -> None:
    from temporal_notebooks.runtime import connection, devserver
    from temporal_notebooks.runtime.worker import start_worker, stop_all_workers
    from temporal_notebooks.workflows.greeting import GreetingWorkflow

    client = await connection.connect(quiet=True)
    worker = await start_worker(client, "recovery-bench", workflows=[GreetingWorkflow], show_status=False)
    noticed, restarts, back = [], [], []
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
        checks = []
        for _ in range(50):
            started = time.perf_counter()
            await connection.server_healthy(client)
            checks.append((time.perf_counter() - started) * 1000)
    finally:
        await stop_all_workers()
        devserver.stop()
    print(f"rounds: {rounds} (SIGKILL, then ensure_running)")
    print(f"kill → status unreachable: median {statistics.median(noticed):.2f} s, max {max(noticed):.2f}")
    print(f"restart until the port accepts: median {statistics.median(restarts):.2f} s")
    print(f"restart done → status says back: median {statistics.median(back):.2f} s, max {max(back):.2f}")
    print(f"connect()'s check of a cached client: median {statistics.median(checks):.2f} ms (50 calls)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    if not os.environ.get("TEMPORAL_NOTEBOOKS_HOME"):
        os.environ["TEMPORAL_NOTEBOOKS_HOME"] = tempfile.mkdtemp(prefix="recovery-bench-")
        os.environ.setdefault("TEMPORAL_NOTEBOOKS_PORT", str(_free_port()))
        os.environ.setdefault("TEMPORAL_NOTEBOOKS_UI_PORT", str(_free_port()))
    asyncio.run(main(options.rounds))
