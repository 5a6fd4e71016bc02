"""Lesson 04's two short sections: a local activity next to a regular one, and an activity that is
completed from outside the worker. Workflow classes only: the sandbox re-imports this module."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.local_and_async import lookup_tax_rate, request_approval


@workflow.defn
class TaxRateWorkflow:
    """Looks a tax rate up either as a local activity (run by this worker inside the workflow task,
    recorded as a marker) or as a regular one (scheduled on the task queue: three events)."""

    @workflow.run
    async def run(self, country: str, local: bool) -> float:
        if local:
            return await workflow.execute_local_activity(
                lookup_tax_rate, country, start_to_close_timeout=timedelta(seconds=5)
            )
        return await workflow.execute_activity(
            lookup_tax_rate, country, start_to_close_timeout=timedelta(seconds=5)
        )


@workflow.defn
class ApprovalWorkflow:
    """Waits for a person's answer through an activity completed asynchronously. The activity's
    start-to-close timeout is how long the approver has."""

    @workflow.run
    async def run(self, request: str) -> str:
        answer = await workflow.execute_activity(
            request_approval, request, start_to_close_timeout=timedelta(minutes=30)
        )
        return f"{request}: {answer}"
