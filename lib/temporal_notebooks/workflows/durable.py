"""Lesson 01b workflow: an order processed in four steps with a durable timer between them.
Workflow classes only: the sandbox re-imports this module for every run."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.durable import STEPS, Order


@workflow.defn
class OrderWorkflow:
    """Each step is an activity; between two steps the workflow sleeps on a server-side timer. An
    order with ``hold_after`` steps waits there for the ``go_on`` signal: a lesson can stop the worker
    while the run waits, however long the learner reads first."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.may_go_on = False

    @workflow.run
    async def run(self, order: Order) -> list[str]:
        for number, step in enumerate(STEPS):
            if number and number == order.hold_after:
                await workflow.wait_condition(lambda: self.may_go_on)
            if number:
                await workflow.sleep(timedelta(seconds=order.pause_s))
            result = await workflow.execute_activity(
                step,
                order,
                # A crashed worker reports nothing: the server retries the step once this runs out.
                start_to_close_timeout=timedelta(seconds=order.step_timeout_s),
                # A step cut off by a stopping worker is tried again soon after a worker is back.
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200)),
            )
            self.done.append(result)
        return self.done

    @workflow.signal
    def go_on(self) -> None:
        self.may_go_on = True

    @workflow.query
    def steps_done(self) -> list[str]:
        return self.done
