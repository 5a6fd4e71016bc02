"""Lesson 11's interceptor section: a workflow whose activity fails on bad input. Its retry policy
allows three quick attempts; the worker's interceptor decides whether they are used. Workflow
classes only: the sandbox re-imports this module."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.interceptors_lesson import parse_amount

QUICK_RETRIES = RetryPolicy(
    initial_interval=timedelta(milliseconds=100), backoff_coefficient=1, maximum_attempts=3
)


@workflow.defn
class ParseAmountWorkflow:
    @workflow.run
    async def run(self, text: str) -> int:
        return await workflow.execute_activity(
            parse_amount, text, start_to_close_timeout=timedelta(seconds=5), retry_policy=QUICK_RETRIES
        )
