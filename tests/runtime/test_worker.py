"""The in-notebook worker: one per task queue however often its cell runs, errors shown, clean exit."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from kernel import Kernel
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.worker import Worker
from waiting_workflow import WaitForSignal

from temporal_notebooks.workflows.greeting import GreetingWorkflow

HERE = Path(__file__).resolve().parent

SETUP = """
from temporal_notebooks.notebook import *
from temporal_notebooks.workflows.greeting import GreetingWorkflow
from temporal_notebooks.activities.greeting import compose_greeting
client = await connect()
"""
WORKER_CELL = """
worker = await start_worker(client, {queue!r}, workflows=[GreetingWorkflow], activities=[compose_greeting])
"""


async def pollers(client: Client, queue: str) -> list[str]:
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return sorted(p.identity for p in response.pollers)


async def wait_for_pollers(client: Client, queue: str, count: int, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    found = await pollers(client, queue)
    while len(found) != count and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        found = await pollers(client, queue)
    return found


async def test_a_worker_cell_run_five_times_leaves_one_poller(client: Client) -> None:
    """Ask the server who picks up the work: after five runs of the worker cell, every workflow task
    and activity task of ten runs goes to the fifth worker. (The task queue's poller list keeps recently
    seen pollers for minutes, so "who took the tasks" is the live answer.)"""
    queue = f"tester.rerun-{uuid.uuid4().hex[:6]}"
    async with Kernel() as kernel:
        await kernel.ok(SETUP)
        for _ in range(5):
            await kernel.ok(WORKER_CELL.format(queue=queue))
        await kernel.ok(
            "import asyncio\n"
            f"await asyncio.gather(*(client.execute_workflow(GreetingWorkflow.run, str(i), "
            f"id=scoped(f'rerun-{{i}}'), task_queue={queue!r}) for i in range(10)))"
        )
    identities = set()
    for i in range(10):
        async for event in client.get_workflow_handle(f"tester.rerun-{i}").fetch_history_events():
            for attrs in ("workflow_task_started_event_attributes", "activity_task_started_event_attributes"):
                if event.HasField(attrs):
                    identities.add(getattr(event, attrs).identity)
    # Eager starts hand the first workflow task over in the start call, recorded under the client's
    # identity ("<pid>@<host>"); every task that went through a poll went to the fifth worker.
    workers = {i for i in identities if " worker #" in i}
    assert len(workers) == 1 and workers.pop().endswith("worker #5"), identities
    assert any(p.endswith("worker #5") for p in await pollers(client, queue))


async def test_the_poller_check_would_see_a_second_worker(client: Client, dev_server) -> None:
    """Control for the test above: two workers that nobody replaces both show up."""
    queue = f"tester.control-{uuid.uuid4().hex[:6]}"
    other_client = await Client.connect(dev_server.address)  # as a second kernel would have
    first = Worker(client, task_queue=queue, workflows=[GreetingWorkflow], identity="first")
    second = Worker(other_client, task_queue=queue, workflows=[GreetingWorkflow], identity="second")
    async with first, second:
        assert await wait_for_pollers(client, queue, 2) == ["first", "second"]


async def _continue_after_kernel_exit(client: Client, kill: bool) -> float:
    """A workflow waits for a signal on a kernel's worker; the kernel goes; a new worker gets the
    signal. Seconds from signal to result: a worker that shut down cleanly handed its cached workflow
    back to the server, a killed one leaves it stuck on its sticky queue until a timeout (~10 s)."""
    queue = f"tester.exit-{uuid.uuid4().hex[:6]}"
    kernel = Kernel()
    await kernel.__aenter__()
    await kernel.ok(
        "import sys; sys.path.insert(0, " + repr(str(HERE)) + ")\n"
        "from waiting_workflow import WaitForSignal\n"
        + SETUP
        + f"w = await start_worker(client, {queue!r}, workflows=[WaitForSignal], show_status=False)\n"
        f"h = await client.start_workflow(WaitForSignal.run, id={queue!r}, task_queue={queue!r})\n"
        "import asyncio; await asyncio.sleep(0.5)"
    )
    if kill:
        os.kill(kernel.pid, signal.SIGKILL)
    await kernel.shutdown(now=kill)  # now=False is what JupyterLab's "Shut Down Kernel" sends
    async with Worker(client, task_queue=queue, workflows=[WaitForSignal]):
        handle = client.get_workflow_handle(queue)
        started = time.monotonic()
        await handle.signal(WaitForSignal.deliver, "x")
        assert await handle.result() == "got x"
        return time.monotonic() - started


async def test_kernel_shutdown_stops_its_workers_cleanly(client: Client) -> None:
    assert await _continue_after_kernel_exit(client, kill=False) < 3


async def test_control_a_killed_kernel_leaves_the_workflow_waiting(client: Client) -> None:
    """Control for the test above: without the clean shutdown the same step takes far longer."""
    assert await _continue_after_kernel_exit(client, kill=True) > 5


async def test_killing_a_kernel_leaves_no_orphan_process(dev_server) -> None:
    queue = f"tester.orphans-{uuid.uuid4().hex[:6]}"
    kernel = Kernel()
    await kernel.__aenter__()
    await kernel.ok(SETUP + WORKER_CELL.format(queue=queue))
    await kernel.ok(
        "import temporal_notebooks.apps.greeting.worker as w\n"
        "script = run_script_in_background('app', w.run_worker)"
    )
    pid = kernel.pid
    children = _descendants(pid)
    os.kill(pid, signal.SIGKILL)
    await kernel.shutdown(now=True)
    time.sleep(0.5)
    survivors = [c for c in children if _alive(c)]
    assert survivors == [], f"processes left behind by the kernel: {survivors}"
    assert _alive(dev_server.pid), "the shared dev server outlives kernels by design"


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    parents = {int(p): int(pp) for p, pp in (line.split() for line in out.splitlines())}
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == current]
        found += kids
        frontier += kids
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


async def test_background_errors_are_shown_in_the_worker_status(client: Client) -> None:
    queue = f"tester.errors-{uuid.uuid4().hex[:6]}"
    async with Kernel() as kernel:
        await kernel.ok(SETUP + WORKER_CELL.format(queue=queue))
        failed = await kernel.run(
            "from temporalio.common import WorkflowIDConflictPolicy\n"
            f"h = await client.start_workflow('Unknown', id=scoped('bg-error'), task_queue={queue!r}, "
            "id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)\n"
            "r = await attempt(h.result())\nawait h.terminate()\nr"
        )
        status = await kernel.ok("print(worker.last_error)\nprint(worker.status_html())")
    assert "WorkflowTaskFailedError" in failed.text and "knows the workflow type 'Unknown'" in failed.text
    assert "Unknown is not registered" in status.splitlines()[0], status
    assert "problems: " in status


async def test_sync_activities_get_a_thread_pool() -> None:
    async with Kernel() as kernel:
        await kernel.ok(SETUP)
        text = await kernel.ok(
            "w = await start_worker(client, scoped('pool'), activities=[compose_greeting],\n"
            "                       show_status=False)\n"
            "print(type(w.executor).__name__)\nawait w.stop()\nprint(w.state)"
        )
    assert text.split() == ["ThreadPoolExecutor", "stopped"]
