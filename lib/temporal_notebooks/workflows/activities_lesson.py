"""Lesson 04 workflows: how a workflow runs activities, and what it asks of them (timeouts, retries,
heartbeats). Workflow classes only: the sandbox re-imports this module for every run."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.activities_lesson import (
        BatchJob,
        BatchResult,
        StallDemoInput,
        StallReport,
        call_flaky_service,
        call_unreachable_service,
        charge_card,
        process_batch,
        slow_lookup,
        tick,
    )

# Short waits keep the lesson quick; real services usually want the defaults (1 s, doubling).
QUICK_RETRIES = RetryPolicy(initial_interval=timedelta(milliseconds=200), backoff_coefficient=1.0)


@workflow.defn
class StallDemoWorkflow:
    """Runs the ticker and, meanwhile, a slow activity a few times; returns how regularly it ticked.

    Whichever activity the worker starts first, the ticker is running during the later slow calls.
    """

    @workflow.run
    async def run(self, demo: StallDemoInput) -> StallReport:
        ticker = workflow.start_activity(
            tick,
            args=[demo.ticks, demo.tick_interval_s],
            start_to_close_timeout=timedelta(seconds=30),
        )
        for _ in range(demo.slow_calls):
            await workflow.execute_activity(
                demo.slow_activity,  # by name: "block_event_loop" or "sleep_in_thread"
                demo.slow_seconds,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        return StallReport(demo.slow_activity, demo.tick_interval_s * 1000, await ticker)


@workflow.defn
class FlakyServiceWorkflow:
    """Retries a failing activity until it succeeds: three attempts, a short backoff between them."""

    @workflow.run
    async def run(self, request: str) -> str:
        return await workflow.execute_activity(
            call_flaky_service,
            request,
            start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200),  # wait before the 2nd attempt
                backoff_coefficient=2.0,  # then 400 ms, 800 ms, ...
                maximum_interval=timedelta(seconds=10),  # never wait longer than this
                maximum_attempts=5,  # 0 (the default) means no limit
            ),
        )


@workflow.defn
class StartToCloseWorkflow:
    """``start_to_close_timeout`` limits ONE attempt (a timed-out attempt counts as a failed one)."""

    @workflow.run
    async def run(self, delay_s: float) -> str:
        return await workflow.execute_activity(
            slow_lookup,
            delay_s,
            start_to_close_timeout=timedelta(milliseconds=500),
            retry_policy=RetryPolicy(maximum_attempts=1),  # no retries, to keep the demo short
        )


@workflow.defn
class ScheduleToCloseWorkflow:
    """``schedule_to_close_timeout`` limits ALL attempts together, retries and waits included."""

    @workflow.run
    async def run(self, request: str) -> str:
        return await workflow.execute_activity(
            call_unreachable_service,
            request,
            start_to_close_timeout=timedelta(milliseconds=500),
            schedule_to_close_timeout=timedelta(seconds=1),
            retry_policy=QUICK_RETRIES,  # unlimited attempts: the overall deadline ends them
        )


@workflow.defn
class ChargeCardWorkflow:
    """Retries, except for errors that retrying cannot fix."""

    @workflow.run
    async def run(self, card_number: str) -> str:
        return await workflow.execute_activity(
            charge_card,
            card_number,
            start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200),
                maximum_attempts=5,
                non_retryable_error_types=["InvalidCardNumber"],  # ApplicationError.type values
            ),
        )


@workflow.defn
class BatchWorkflow:
    """Runs a long activity that heartbeats; a silent attempt is given up after ``heartbeat_timeout``."""

    @workflow.run
    async def run(self, job: BatchJob) -> BatchResult:
        return await workflow.execute_activity(
            process_batch,
            job,
            start_to_close_timeout=timedelta(seconds=60),  # the whole batch may take long...
            heartbeat_timeout=timedelta(seconds=1),  # ...but a second of silence means trouble
            retry_policy=QUICK_RETRIES,
        )
