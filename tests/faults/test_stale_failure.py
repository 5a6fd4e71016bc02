"""Issue 8 §3: a workflow task failure is reported only while it is the run's current state. The
learner's path, in a real kernel: a bug fails the workflow task (one clear line); the learner fixes the
code and re-runs the worker cell, as the line says; awaiting the same handle gives the result, every
time, and so does a handle from ``get_workflow_handle``, which is watched like the others."""

from __future__ import annotations

from fault_home import FaultHome
from kernel import Kernel

BUGGY = """
from temporalio import workflow

@workflow.defn
class Divide:
    @workflow.run
    async def run(self, total: int) -> int:
        return total // {divisor}
"""
SETUP = """
from temporal_notebooks.notebook import *
from temporal_notebooks.runtime.exercises import write_module
client = await connect()
queue = scoped("stale")
"""
WORKER_CELL = """
Divide = write_module("fault_divide", {source!r}).Divide
worker = await start_worker(client, queue, workflows=[Divide])
"""
START = """
handle = await client.start_workflow(Divide.run, 10, id=scoped("divide-{n}"), task_queue=queue)
"""


def _worker_cell(divisor: str) -> str:
    return WORKER_CELL.format(source=BUGGY.format(divisor=divisor))


async def test_after_the_fix_the_same_await_returns_the_result(home: FaultHome) -> None:
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(_worker_cell("0"))
        await kernel.ok(START.format(n=1))
        failed = await kernel.run("await handle.result()", timeout=60)
        assert failed.error and failed.error.startswith("WorkflowTaskFailedError"), failed
        assert "by zero" in failed.error and "re-run the worker cell" in failed.error
        await kernel.ok(_worker_cell("2"))  # the fix, as the line says
        assert (await kernel.ok("print(await handle.result())", timeout=90)).strip() == "5"
        # Once the run completed, the old failure in its history never comes back, however often.
        again = await kernel.run(
            "for _ in range(5):\n"
            "    print(await handle.result(), await client.get_workflow_handle(handle.id).result())",
            timeout=90,
        )
        assert again.status == "ok" and again.error is None, str(again)
        assert again.text.split() == ["5"] * 10, again.text


async def test_a_handle_from_get_workflow_handle_reports_the_failure_instead_of_hanging(
    home: FaultHome,
) -> None:
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(_worker_cell("0"))
        await kernel.ok(START.format(n=2))
        failed = await kernel.run("await client.get_workflow_handle(scoped('divide-2')).result()", timeout=60)
        assert failed.error and failed.error.startswith("WorkflowTaskFailedError"), failed
        assert "by zero" in failed.error
        typed = await kernel.run(
            "await client.get_workflow_handle_for(Divide.run, scoped('divide-2')).result()", timeout=60
        )
        assert typed.error and typed.error.startswith("WorkflowTaskFailedError"), typed


async def test_a_worker_rerun_without_a_fix_reports_the_new_failure(home: FaultHome) -> None:
    """Re-running the worker cell with code that still fails: the line reports the new failure (from
    the re-run worker), not silence and not the old one."""
    async with Kernel(env=home.env) as kernel:
        await kernel.ok(SETUP)
        await kernel.ok(_worker_cell("0"))
        await kernel.ok(START.format(n=3))
        first = await kernel.run("await handle.result()", timeout=60)
        assert first.error and "by zero" in first.error, first
        await kernel.ok(_worker_cell("int('x')"))  # a different bug
        second = await kernel.run("await handle.result()", timeout=90)
        assert second.error and second.error.startswith("WorkflowTaskFailedError"), second
        assert "invalid literal" in second.error, second.error
