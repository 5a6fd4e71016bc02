"""Lesson 04 workflows: a blocking async activity stalls the worker and a sync one does not (real
time, dev server); retries, timeouts and non-retryable errors (time-skipping test server); a
heartbeating activity resumes after a silent attempt (dev server: heartbeats are real time)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError, RetryState, TimeoutError, TimeoutType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_notebooks.activities.activities_lesson import (
    BatchJob,
    StallDemoInput,
    block_event_loop,
    call_flaky_service,
    call_unreachable_service,
    charge_card,
    fetch_exchange_rate,
    process_batch,
    sleep_in_thread,
    slow_lookup,
    tick,
)
from temporal_notebooks.widgets.history import event_details
from temporal_notebooks.workflows.activities_lesson import (
    BatchWorkflow,
    ChargeCardWorkflow,
    FlakyServiceWorkflow,
    ScheduleToCloseWorkflow,
    StallDemoWorkflow,
    StartToCloseWorkflow,
)

WORKFLOWS = [
    StallDemoWorkflow,
    FlakyServiceWorkflow,
    StartToCloseWorkflow,
    ScheduleToCloseWorkflow,
    ChargeCardWorkflow,
    BatchWorkflow,
]
ACTIVITIES = [
    tick,
    block_event_loop,
    sleep_in_thread,
    call_flaky_service,
    call_unreachable_service,
    slow_lookup,
    charge_card,
    process_batch,
    fetch_exchange_rate,
]


async def _worker(client: Client, task_queue: str) -> AsyncIterator[Worker]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=WORKFLOWS,
            activities=ACTIVITIES,
            activity_executor=executor,
            max_heartbeat_throttle_interval=timedelta(milliseconds=100),
        ) as worker:
            yield worker


@pytest_asyncio.fixture(scope="module")
async def dev_queue(client: Client) -> AsyncIterator[str]:
    task_queue = f"test-activities-{uuid.uuid4().hex[:6]}"
    async for _ in _worker(client, task_queue):
        yield task_queue


@pytest_asyncio.fixture(scope="module")
async def skipping_queue(env: WorkflowEnvironment) -> AsyncIterator[str]:
    task_queue = f"test-activities-skip-{uuid.uuid4().hex[:6]}"
    async for _ in _worker(env.client, task_queue):
        yield task_queue


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def run(client: Client, task_queue: str, workflow, arg):
    handle = await client.start_workflow(workflow, arg, id=new_id("lesson04"), task_queue=task_queue)
    try:
        return handle, await asyncio.wait_for(handle.result(), 30)
    except WorkflowFailureError as failure:
        return handle, failure


async def events(handle) -> list:
    return [event async for event in handle.fetch_history_events()]


async def first_started(handle):
    """The ActivityTaskStarted event: it carries the number of the attempt that finished."""
    return next(e for e in await events(handle) if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)


# --- async vs sync ---------------------------------------------------------------------------------


async def test_blocking_call_in_async_activity_stalls_the_ticker(client: Client, dev_queue: str) -> None:
    _, report = await run(client, dev_queue, StallDemoWorkflow.run, StallDemoInput("block_event_loop"))
    assert len(report.tick_intervals_ms) == 6
    assert report.longest_ms >= 220, report.summary()  # the ticker could not wake up while blocked


async def test_sync_activity_leaves_the_ticker_regular(client: Client, dev_queue: str) -> None:
    _, report = await run(client, dev_queue, StallDemoWorkflow.run, StallDemoInput("sleep_in_thread"))
    assert len(report.tick_intervals_ms) == 6
    assert report.longest_ms < 200, report.summary()
    assert "longest gap" in report.summary()


def test_a_worker_refuses_a_sync_activity_without_an_executor(client: Client) -> None:
    with pytest.raises(ValueError, match="activity_executor"):
        Worker(client, task_queue="never-polled", activities=[sleep_in_thread])


# --- retries, timeouts, non-retryable errors (time-skipping) ---------------------------------------


async def test_flaky_service_succeeds_on_the_third_attempt(client: Client, dev_queue: str) -> None:
    """On the dev server: the time-skipping test server does not record the last failure."""
    handle, result = await run(client, dev_queue, FlakyServiceWorkflow.run, "report")
    assert result == "report: done on attempt 3"
    started = await first_started(handle)
    # Retries are not separate events: the attempt that finished records its number and the last failure.
    assert started.activity_task_started_event_attributes.attempt == 3
    assert "attempt 2" in started.activity_task_started_event_attributes.last_failure.message
    assert "attempt 3" in event_details(started)


async def test_start_to_close_timeout_ends_each_attempt(
    env: WorkflowEnvironment, skipping_queue: str
) -> None:
    _, failure = await run(env.client, skipping_queue, StartToCloseWorkflow.run, 2.0)
    assert isinstance(failure, WorkflowFailureError)
    assert isinstance(failure.cause, ActivityError)
    assert failure.cause.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
    assert isinstance(failure.cause.cause, TimeoutError)
    assert failure.cause.cause.type == TimeoutType.START_TO_CLOSE


async def test_fast_lookup_is_within_its_timeouts(env: WorkflowEnvironment, skipping_queue: str) -> None:
    _, result = await run(env.client, skipping_queue, StartToCloseWorkflow.run, 0.01)
    assert result == "looked up in 0.01 s (attempt 1)"


async def test_schedule_to_close_timeout_ends_all_attempts(client: Client, dev_queue: str) -> None:
    """On the dev server (2.5 s of real time): it stops retrying when the next attempt would not fit."""
    handle, failure = await run(client, dev_queue, ScheduleToCloseWorkflow.run, "stock level")
    assert isinstance(failure, WorkflowFailureError)
    assert isinstance(failure.cause, ActivityError)
    assert failure.cause.retry_state == RetryState.TIMEOUT  # why the retries stopped
    # The cause is the last attempt's own error, or "not enough time for the next retry".
    cause = failure.cause.cause
    assert (isinstance(cause, ApplicationError) and cause.type == "ConnectionRefused") or (
        isinstance(cause, TimeoutError) and cause.type == TimeoutType.SCHEDULE_TO_CLOSE
    ), repr(cause)
    # Retried until the deadline. The history writes ActivityTaskStarted only for the attempt that ended
    # the activity: its number is 2 or more. When the deadline came while the next attempt waited for the
    # worker (a busy machine), no attempt ended it, there is no such event, and the timeout's cause is the
    # earlier attempt's failure (seen on the dev server with the worker stopped after attempt 1).
    history = await events(handle)
    started = [e for e in history if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
    if started:
        assert started[0].activity_task_started_event_attributes.attempt >= 2
    else:
        assert isinstance(cause, TimeoutError) and cause.type == TimeoutType.SCHEDULE_TO_CLOSE, repr(cause)
        assert isinstance(cause.cause, ApplicationError) and cause.cause.type == "ConnectionRefused", cause


@pytest.mark.parametrize(
    ("card", "error_type"),
    [("4000123412341234", "CardDeclined"), ("not-a-card", "InvalidCardNumber")],
)
async def test_non_retryable_errors_fail_on_the_first_attempt(
    env: WorkflowEnvironment, skipping_queue: str, card: str, error_type: str
) -> None:
    handle, failure = await run(env.client, skipping_queue, ChargeCardWorkflow.run, card)
    assert isinstance(failure, WorkflowFailureError)
    assert failure.cause.retry_state == RetryState.NON_RETRYABLE_FAILURE
    assert isinstance(failure.cause.cause, ApplicationError)
    assert failure.cause.cause.type == error_type
    started = next(
        e for e in await events(handle) if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    )
    assert started.activity_task_started_event_attributes.attempt == 1


async def test_a_good_card_is_charged(env: WorkflowEnvironment, skipping_queue: str) -> None:
    _, result = await run(env.client, skipping_queue, ChargeCardWorkflow.run, "5555444433331111")
    assert result == "charged card ending 1111 (attempt 1)"


# --- heartbeats (real time) ------------------------------------------------------------------------


async def test_heartbeats_are_visible_while_the_batch_runs(client: Client, dev_queue: str) -> None:
    handle = await client.start_workflow(
        BatchWorkflow.run, BatchJob(items=12, seconds_per_item=0.05), id=new_id("batch"), task_queue=dev_queue
    )
    seen: list[int] = []
    while True:
        description = await handle.describe()
        for pending in description.raw_description.pending_activities:
            if pending.HasField("heartbeat_details"):
                done, total = await client.data_converter.decode(pending.heartbeat_details.payloads)
                assert total == 12
                seen.append(done)
        if description.close_time is not None:
            break
    result = await handle.result()
    assert (result.items, result.attempt, result.resumed_at_item) == (12, 1, 0)
    assert len(set(seen)) >= 3, seen  # progress was visible from outside, several times
    assert seen == sorted(seen)


async def test_a_silent_attempt_times_out_and_the_retry_resumes(client: Client, dev_queue: str) -> None:
    job = BatchJob(items=12, seconds_per_item=0.05, silent_at_item=6)
    handle, result = await run(client, dev_queue, BatchWorkflow.run, job)
    assert result.attempt == 2
    assert result.resumed_at_item >= 4  # not from scratch: the last heartbeat came back
    started = next(
        e for e in await events(handle) if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    )
    last_failure = started.activity_task_started_event_attributes.last_failure
    assert last_failure.timeout_failure_info.timeout_type == TimeoutType.HEARTBEAT.value
