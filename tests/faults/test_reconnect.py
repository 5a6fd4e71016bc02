"""Issue 8 §1: a kernel gets its server back. A real kernel with a running worker loses its dev
server (stopped, or killed with SIGKILL) and gets it back (from a terminal or from a cell); the cells
after the first one keep working without re-running any cell, the worker's status line says what
happened, and the workflow continues with its state."""

from __future__ import annotations

import asyncio
import socket

import pytest
from fault_home import FaultHome, wait_until
from kernel import Kernel

from temporal_notebooks.runtime import devserver

SETUP = """
from temporal_notebooks.notebook import *
client = await connect()
"""
COUNTER = """
from temporalio import workflow

@workflow.defn
class Counter:
    def __init__(self) -> None:
        self.total = 0
        self.done = False

    @workflow.signal
    def add(self, amount: int) -> None:
        self.total += amount

    @workflow.signal
    def finish(self) -> None:
        self.done = True

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.total
"""
WORKER = f"""
from temporal_notebooks.runtime.exercises import write_module
from temporalio.common import WorkflowIDConflictPolicy
Counter = write_module("fault_counter", {COUNTER!r}).Counter
queue = scoped("faults")
worker = await start_worker(client, queue, workflows=[Counter])
handle = await client.start_workflow(Counter.run, id=scoped("counter"), task_queue=queue,
    id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)
await handle.signal(Counter.add, 2)
"""
WAIT_FOR_STATUS = """
import asyncio, time
deadline = time.monotonic() + {timeout}
while {words!r} not in worker.status_html() and time.monotonic() < deadline:
    await asyncio.sleep(0.1)
print(worker.status_html())
"""
FINISH = """
await handle.signal(Counter.add, 3)
await handle.signal(Counter.finish)
print("total", await handle.result())
"""


async def _status_says(kernel: Kernel, words: str, timeout: float = 20) -> str:
    text = await kernel.ok(WAIT_FOR_STATUS.format(words=words, timeout=timeout), timeout=timeout + 30)
    assert words in text, f"the worker status line never said {words!r}: {text}"
    return text


def _lose_server(home: FaultHome, how: str) -> None:
    if how == "server stop":
        assert "Stopped" in home.cli("server", "stop").stdout
    else:
        home.kill_server()


@pytest.mark.parametrize("how", ["server stop", "SIGKILL"])
async def test_a_kernel_keeps_working_after_its_server_is_lost_and_started_again(
    home: FaultHome, how: str
) -> None:
    async with Kernel(env=home.env) as kernel:
        first_line = await kernel.ok(SETUP)
        await kernel.ok(WORKER)
        await _status_says(kernel, "worker running")
        await asyncio.to_thread(_lose_server, home, how)
        down = await _status_says(kernel, "server unreachable")
        assert "server start" in down, down
        started = await asyncio.to_thread(home.cli, "server", "start")
        assert started.returncode == 0, started.stderr
        assert f"127.0.0.1:{home.port}" in started.stdout, "back on the preferred port"
        back = await _status_says(kernel, "server back")
        assert "unreachable" not in back
        # No cell re-run: the same handle, client and worker carry on, and so does the workflow.
        assert "total 5" in await kernel.ok(FINISH)
        assert (await kernel.ok("client = await connect()")) == first_line, "the same server, same line"


async def test_rerunning_the_first_cell_as_the_error_line_says_brings_the_server_back(
    home: FaultHome,
) -> None:
    """Nobody started the server again: a cell fails with one line whose advice works."""
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(WORKER)
        await asyncio.to_thread(home.kill_server)
        failed = await kernel.run("await handle.signal(Counter.add, 3)", timeout=90)
        assert failed.error is not None and failed.error.startswith("RPCError"), failed
        assert "Re-run the notebook's first cell" in failed.text, failed.text
        assert len(failed.text.strip().splitlines()) == 1, f"one line, not a traceback: {failed.text}"
        again = await kernel.ok(SETUP)  # the advice: re-run the first cell
        assert f"127.0.0.1:{home.port}" in again
        await kernel.ok("await handle.signal(Counter.add, 3)")  # the cells after it work again
        assert "total 5" in await kernel.ok(FINISH.replace("await handle.signal(Counter.add, 3)\n", ""))


async def test_a_server_restarted_from_a_cell_is_picked_up_by_the_worker(home: FaultHome) -> None:
    """The durable-execution lesson's way: stop and start the server from cells of the notebook."""
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(WORKER)
        await kernel.ok("from temporal_notebooks.runtime import devserver\ndevserver.stop()")
        await _status_says(kernel, "server unreachable")
        await kernel.ok("devserver.ensure_running()")
        await _status_says(kernel, "server back")
        assert "total 5" in await kernel.ok(FINISH)


async def test_a_server_back_on_another_port_is_followed_by_client_and_worker(home: FaultHome) -> None:
    """The preferred port is taken while the server is down (by someone else's process): the server
    comes back elsewhere, and the kernel's client object and worker move there by themselves."""
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(WORKER)
        old = home.record()
        await asyncio.to_thread(home.kill_server)
        await _status_says(kernel, "server unreachable")
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", home.port))
            squatter.listen()
            started = await asyncio.to_thread(home.cli, "server", "start")
            assert started.returncode == 0, started.stderr
            moved = home.record()
            assert moved is not None and moved.port != old.port
            await _status_says(kernel, "server back")
            assert "total 5" in await kernel.ok(FINISH)
            line = await kernel.ok("await connect()")
            assert moved.address in line, line


def test_the_kill_helper_only_signals_our_server(home: FaultHome) -> None:
    """The suite's own hygiene: it kills a pid only after verifying it is this home's server."""
    server = devserver.ensure_running()
    assert home.server_pids() == [server.pid]
    assert home.kill_server() == server.pid
    wait_until(lambda: devserver.status() is None, "the record to be dropped")
