"""Workflows the exercise checks run against the learner's code (workflow code only: the sandbox
re-imports this module for every run, so it imports nothing but temporalio)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

TOOL_ATTEMPTS = 3


@workflow.defn(name="CheckOneTool")
class OneToolWorkflow:
    """Calls one activity by name under a policy that retries quickly, so an error that is not
    marked non-retryable shows as more than one attempt."""

    @workflow.run
    async def run(self, step: str, text: str) -> str:
        return await workflow.execute_activity(
            step,
            text,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=50),
                backoff_coefficient=1.0,
                maximum_attempts=TOOL_ATTEMPTS,
            ),
            result_type=str,
        )
