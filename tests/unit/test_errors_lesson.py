"""Lesson 11 on the real dev server: which exceptions fail a workflow or an update and which only its
task, cancellation with and without a heartbeat timeout, parallel activities and timers, the
forgotten await, the deadlock detector, and what the sandbox refuses (and the three ways out)."""

from __future__ import annotations

import asyncio
import time
import uuid
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from temporal_notebooks.activities.errors_lesson import (
    PRICES_CENTS,
    JobInput,
    Quote,
    RateRequest,
    long_job,
    lookup_rate,
    quote_price,
    release_resources,
    reserve_stock,
    send_receipt,
)
from temporal_notebooks.runtime.exercises import short_lived_worker
from temporal_notebooks.widgets.history import event_name
from temporal_notebooks.workflows import errors_lesson as lesson
from temporal_notebooks.workflows import service_urls, service_urls_passed_through

TASK_QUEUE = f"test-errors-{uuid.uuid4().hex[:6]}"
WORKFLOWS = [
    lesson.ReserveWorkflow,
    lesson.ParseQuantityWorkflow,
    lesson.StrictParseQuantityWorkflow,
    lesson.QuantityWorkflow,
    lesson.CancellableJobWorkflow,
    lesson.QuotesWorkflow,
    lesson.ReceiptWorkflow,
    lesson.ForgotToAwaitWorkflow,
    lesson.BlockingCallWorkflow,
    lesson.RateActivityWorkflow,
    lesson.ReportNameWorkflow,
    lesson.UnrestrictedReportNameWorkflow,
]
ACTIVITIES = [reserve_stock, long_job, release_resources, quote_price, send_receipt, lookup_rate]


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with short_lived_worker(client, TASK_QUEUE, workflows=WORKFLOWS, activities=ACTIVITIES) as running:
        yield running


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def names(handle: WorkflowHandle) -> list[str]:
    return [event_name(e) async for e in handle.fetch_history_events()]


async def first_task_failure(handle: WorkflowHandle, within_s: float = 10) -> str:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        async for event in handle.fetch_history_events():
            if event.HasField("workflow_task_failed_event_attributes"):
                return event.workflow_task_failed_event_attributes.failure.message
        await asyncio.sleep(0.1)
    raise AssertionError("no workflow task failure")


async def test_an_activity_error_fails_the_workflow(client: Client, worker: Worker) -> None:
    with pytest.raises(WorkflowFailureError) as failed:
        await client.execute_workflow(
            lesson.ReserveWorkflow.run, "unicorn", id=new_id("reserve"), task_queue=TASK_QUEUE
        )
    assert isinstance(failed.value.cause, ActivityError)  # not an ApplicationError, and still a failure
    assert isinstance(failed.value.cause.cause, ApplicationError)
    assert failed.value.cause.cause.type == "OutOfStock"
    assert (
        await client.execute_workflow(
            lesson.ReserveWorkflow.run, "teapot", id=new_id("reserve"), task_queue=TASK_QUEUE
        )
        == "reserved one teapot"
    )


async def test_a_plain_exception_fails_only_the_task(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        lesson.ParseQuantityWorkflow.run, "lots", id=new_id("parse"), task_queue=TASK_QUEUE
    )
    assert "invalid literal for int()" in await first_task_failure(handle)
    assert "WorkflowExecutionFailed" not in await names(handle)
    await handle.terminate("test done")


async def test_failure_exception_types_fail_the_workflow(client: Client, worker: Worker) -> None:
    with pytest.raises(WorkflowFailureError) as failed:
        await client.execute_workflow(
            lesson.StrictParseQuantityWorkflow.run, "lots", id=new_id("strict"), task_queue=TASK_QUEUE
        )
    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == "ValueError"


async def test_worker_failure_exception_types_fail_the_update_not_the_task(
    client: Client, worker: Worker
) -> None:
    loose = await client.start_workflow(
        lesson.QuantityWorkflow.run, id=new_id("quantity"), task_queue=TASK_QUEUE
    )
    with pytest.raises(WorkflowUpdateRPCTimeoutOrCancelledError):  # the caller waits: no answer comes
        await loose.execute_update(
            lesson.QuantityWorkflow.set_quantity, "lots", rpc_timeout=timedelta(seconds=2)
        )
    assert "invalid literal" in await first_task_failure(loose)
    await loose.terminate("test done")

    strict_queue = f"{TASK_QUEUE}-strict"
    async with Worker(
        client,
        task_queue=strict_queue,
        workflows=[lesson.QuantityWorkflow],
        workflow_failure_exception_types=[ValueError],
    ):
        strict = await client.start_workflow(
            lesson.QuantityWorkflow.run, id=new_id("quantity"), task_queue=strict_queue
        )
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await strict.execute_update(lesson.QuantityWorkflow.set_quantity, "lots")
        assert isinstance(failed.value.cause, ApplicationError) and failed.value.cause.type == "ValueError"
        assert await strict.execute_update(lesson.QuantityWorkflow.set_quantity, "3") == 3  # still running
        await strict.signal(lesson.QuantityWorkflow.close)
        assert await strict.result() == 3


async def wait_until_started(handle: WorkflowHandle) -> None:
    started = PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
    for _ in range(200):
        pending = (await handle.describe()).raw_description.pending_activities
        if any(p.state == started for p in pending):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the activity never started")


async def test_cancel_reaches_a_heartbeating_activity_with_a_heartbeat_timeout(
    client: Client, worker: Worker
) -> None:
    job = await client.start_workflow(
        lesson.CancellableJobWorkflow.run, JobInput(10, 1.0), id=new_id("job"), task_queue=TASK_QUEUE
    )
    await wait_until_started(job)
    await job.cancel()
    with pytest.raises(WorkflowFailureError) as cancelled:
        await asyncio.wait_for(job.result(), 5)
    assert isinstance(cancelled.value.cause, CancelledError)
    history = await names(job)
    for name in ["ActivityTaskCancelRequested", "ActivityTaskCanceled", "WorkflowExecutionCanceled"]:
        assert name in history
    assert history.index("ActivityTaskCanceled") < history.index("WorkflowExecutionCanceled")
    assert history.count("ActivityTaskCompleted") == 1  # the clean-up


async def test_without_a_heartbeat_timeout_the_cancel_waits_for_the_throttled_heartbeat(
    client: Client, worker: Worker
) -> None:
    job = await client.start_workflow(
        lesson.CancellableJobWorkflow.run, JobInput(10, None), id=new_id("job"), task_queue=TASK_QUEUE
    )
    await wait_until_started(job)
    await job.cancel()
    await asyncio.sleep(1.5)
    description = await job.describe()
    assert description.status is not None and description.status.name == "RUNNING"
    states = [p.state for p in description.raw_description.pending_activities]
    assert states == [PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED]
    await job.terminate("test done")


async def test_gather_starts_the_quotes_together(client: Client, worker: Worker) -> None:
    shops = ["north", "south", "east"]
    for parallel in (False, True):
        handle = await client.start_workflow(
            lesson.QuotesWorkflow.run, args=[shops, parallel], id=new_id("quotes"), task_queue=TASK_QUEUE
        )
        best, took = await handle.result()
        assert best == Quote("south", PRICES_CENTS["south"])
        scheduled_by = {
            e.activity_task_scheduled_event_attributes.workflow_task_completed_event_id
            async for e in handle.fetch_history_events()
            if e.HasField("activity_task_scheduled_event_attributes")
        }
        assert len(scheduled_by) == (1 if parallel else 3)
        assert took > 0


async def test_a_timer_then_an_activity(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        lesson.ReceiptWorkflow.run, "A-1", id=new_id("receipt"), task_queue=TASK_QUEUE
    )
    assert await handle.result() == "receipt for A-1 sent"
    history = await names(handle)
    assert (
        history.index("TimerStarted") < history.index("TimerFired") < history.index("ActivityTaskScheduled")
    )


async def test_a_forgotten_await_schedules_nothing(client: Client, worker: Worker) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handle = await client.start_workflow(
            lesson.ForgotToAwaitWorkflow.run, "A-2", id=new_id("forgot"), task_queue=TASK_QUEUE
        )
        assert await handle.result() == "receipt for A-2 sent?"
    assert not [n for n in await names(handle) if n.startswith("Activity")]
    assert any("never awaited" in str(w.message) for w in caught)


async def test_a_blocking_call_trips_the_deadlock_detector(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        lesson.BlockingCallWorkflow.run, RateRequest("EUR"), id=new_id("block"), task_queue=TASK_QUEUE
    )
    assert "[TMPRL1101] Potential deadlock detected" in await first_task_failure(handle)
    await handle.terminate("test done")
    assert (
        await client.execute_workflow(
            lesson.RateActivityWorkflow.run, RateRequest("EUR", 0.5), id=new_id("rate"), task_queue=TASK_QUEUE
        )
        == 0.92
    )


async def test_the_sandbox_refuses_os_functions_unless_unrestricted(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        lesson.ReportNameWorkflow.run, "reports/2026/q1.csv", id=new_id("report"), task_queue=TASK_QUEUE
    )
    assert "Cannot access os.fspath.__call__" in await first_task_failure(handle)  # on every Python
    await handle.terminate("test done")
    assert (
        await client.execute_workflow(
            lesson.UnrestrictedReportNameWorkflow.run,
            "reports/2026/q1.csv",
            id=new_id("report"),
            task_queue=TASK_QUEUE,
        )
        == "q1.csv"
    )


async def test_a_refused_import_and_its_two_fixes(client: Client) -> None:
    with pytest.raises(RuntimeError, match="Failed validating workflow ServiceUrl") as refused:
        Worker(client, task_queue=new_id("urls"), workflows=[service_urls.ServiceUrlWorkflow])
    assert "from inside a workflow" in str(refused.value.__cause__)

    expected = "https://shop.example.com/api/v2/orders/7"
    queue = new_id("urls")
    async with Worker(client, task_queue=queue, workflows=[service_urls_passed_through.ServiceUrlWorkflow]):
        assert (
            await client.execute_workflow("ServiceUrl", "orders/7", id=new_id("url"), task_queue=queue)
            == expected
        )

    queue = new_id("urls")
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("httpx")
    )
    async with Worker(
        client, task_queue=queue, workflows=[service_urls.ServiceUrlWorkflow], workflow_runner=runner
    ):
        assert (
            await client.execute_workflow("ServiceUrl", "orders/7", id=new_id("url"), task_queue=queue)
            == expected
        )
