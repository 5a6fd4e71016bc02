"""Issue 19 §1: recovery on a moved server, in a real kernel with a worker and a greeter.

The dev server goes away and another process takes its port, one that accepts connections and never
answers (the worst a stranger can do to a stranded connection). The server comes back elsewhere.
After the first cell is re-run, the kernel's worker polls the new server within 5 s, and updates are
answered. A cell that waits for an update or a result while the server is away says so in one line
within 10 s instead of waiting on silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterator

from fault_home import FaultHome, wait_until
from kernel import Kernel

SETUP = """
from temporal_notebooks.notebook import *
client = await connect()
"""
GREETER = """
from temporal_notebooks.activities.signals import GreeterInput, format_greeting
from temporal_notebooks.workflows.signals import GreeterWorkflow
from temporalio.common import WorkflowIDConflictPolicy
queue = scoped("moved")
worker = await start_worker(client, queue, workflows=[GreeterWorkflow], activities=[format_greeting])
handle = await client.start_workflow(GreeterWorkflow.run, GreeterInput("Hello"), id=scoped("greeter"),
    task_queue=queue, id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)
print((await handle.execute_update(GreeterWorkflow.settled_state)).greetings)
"""
# Run right after the first cell: how long until this kernel's worker polls the (new) server.
POLLED_AFTER = """
import asyncio
import time
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

async def _polled_kinds() -> int:
    # of workflow and activity tasks: how many kinds this worker polls for
    polled = 0
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        answer = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=queue), task_queue_type=kind))
        polled += any(p.identity == worker.identity for p in answer.pollers)
    return polled

while await _polled_kinds() < 2 and time.monotonic() - back_at < 60:
    await asyncio.sleep(0.1)
print(f"polled after {time.monotonic() - back_at:.2f} s")
"""
UPDATE = """
import time
started = time.monotonic()
await handle.signal(GreeterWorkflow.submit_greeting, "Ada")
state = await handle.execute_update(GreeterWorkflow.settled_state)
print(state.greetings, f"answered after {time.monotonic() - started:.2f} s")
"""

STATUS_WITHIN_2_S = """
import asyncio
for _ in range(20):
    if "worker running" in worker.status_html():
        break
    await asyncio.sleep(0.1)
print(worker.status_html())
"""


@contextlib.contextmanager
def silent_listener(port: int) -> Iterator[socket.socket]:
    """Another process's listener on ``port``: it accepts connections (the kernel queues them) and
    never says a word, so a call on a connection to it waits instead of failing."""
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # The dead server's sockets can hold the port for a moment after its process is gone.
        wait_until(lambda: _bound(squatter, port), f"port {port} to be free after the server went", 10)
        squatter.listen(64)
        yield squatter


def _bound(sock: socket.socket, port: int) -> bool:
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def _seconds(text: str, after: str) -> float:
    return float(text.split(after, 1)[1].split()[0])


async def test_after_the_first_cell_is_rerun_the_worker_polls_the_moved_server_within_5_s(
    home: FaultHome,
) -> None:
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        assert "[]" in await kernel.ok(GREETER)
        old = home.record()
        assert "Stopped" in (await asyncio.to_thread(home.cli, "server", "stop")).stdout
        with silent_listener(old.port):
            again = await kernel.ok(SETUP + "import time\nback_at = time.monotonic()\n")
            moved = home.record()
            assert moved is not None and moved.port != old.port, "the server had to move"
            assert moved.address in again, again
            polled = await kernel.ok(POLLED_AFTER, timeout=90)
            assert _seconds(polled, "polled after") <= 5, f"the worker polled the new server late: {polled}"
            answered = await kernel.ok(UPDATE, timeout=90)
            assert "['Hello, Ada!']" in answered, answered
            assert _seconds(answered, "answered after") <= 10, answered
            # The status line says so too: at once, since the first cell's connect found the new server
            # (allow the 1 s server watch one more round, in case its check was under way on the old one).
            status = await kernel.ok(STATUS_WITHIN_2_S)
            assert "worker running" in status and "crashed" not in status, status


async def _away_line_within_10_s(kernel: Kernel, cell: str, home: FaultHome, *, lose_first: bool) -> str:
    """Run ``cell`` while the server is away (lost before the cell starts, or while it waits), with
    its port held by a silent listener; the cell's one line, after checking it came within 10 s."""
    old = home.record()
    running = None
    if not lose_first:
        running = asyncio.ensure_future(kernel.run(cell, timeout=120))
        await asyncio.sleep(2)  # the cell is waiting now
        assert not running.done(), running.result()
    await asyncio.to_thread(home.kill_server)
    lost_at = time.monotonic()
    with silent_listener(old.port):
        failed = await (running or kernel.run(cell, timeout=120))
        waited = time.monotonic() - lost_at
    assert failed.error is not None and failed.error.startswith("ServerAwayError"), failed
    assert "Re-run the notebook's first cell" in failed.text, failed.text
    assert len(failed.text.strip().splitlines()) == 1, f"one line, not a traceback: {failed.text}"
    assert waited <= 10, f"the cell waited {waited:.1f} s before it said the server is away"
    return failed.text


async def test_a_cell_waiting_while_the_server_is_away_says_so_in_one_line_within_10_s(
    home: FaultHome,
) -> None:
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(GREETER)
        # A result the workflow only gives on "exit": the server goes while the cell waits.
        await _away_line_within_10_s(kernel, "await handle.result()", home, lose_first=False)
        # The server is already away when the cell asks for an update.
        await asyncio.to_thread(home.cli, "server", "start")
        await kernel.ok(SETUP)
        line = await _away_line_within_10_s(
            kernel, "await handle.execute_update(GreeterWorkflow.settled_state)", home, lose_first=True
        )
        assert home.record() is None or "has not answered" in line
        # The advice works: the first cell again, and the same update is answered.
        await kernel.ok(SETUP)
        assert "Hello" in await kernel.ok("print(await handle.execute_update(GreeterWorkflow.greet, 'Bo'))")
