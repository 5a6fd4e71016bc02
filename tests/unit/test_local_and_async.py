"""Lesson 04's optional sections on the dev server: a local activity is recorded as one marker, a
regular one as three events; an activity that hands over its task token waits until a client
completes it (or fails it) with that token."""

from __future__ import annotations

import concurrent.futures
import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from temporal_notebooks.activities.local_and_async import (
    WAITING_FOR_APPROVAL,
    lookup_tax_rate,
    request_approval,
    task_token_of,
)
from temporal_notebooks.workflows.local_and_async import ApprovalWorkflow, TaxRateWorkflow

ACTIVITY_EVENTS = {
    EventType.EVENT_TYPE_MARKER_RECORDED: "MarkerRecorded",
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "ActivityTaskScheduled",
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: "ActivityTaskStarted",
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "ActivityTaskCompleted",
}


def worker(client: Client, task_queue: str, executor: concurrent.futures.Executor) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[TaxRateWorkflow, ApprovalWorkflow],
        activities=[lookup_tax_rate, request_approval],
        activity_executor=executor,
    )


async def test_a_local_activity_is_one_marker_and_a_regular_one_three_events(client: Client) -> None:
    task_queue = f"local-{uuid.uuid4().hex[:6]}"
    recorded = {}
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        async with worker(client, task_queue, executor):
            for local in (True, False):
                handle = await client.start_workflow(
                    TaxRateWorkflow.run,
                    args=["DE", local],
                    id=f"tax-{uuid.uuid4().hex[:6]}",
                    task_queue=task_queue,
                )
                assert await handle.result() == 0.19
                events = (await handle.fetch_history()).events
                recorded[local] = [
                    ACTIVITY_EVENTS[e.event_type] for e in events if e.event_type in ACTIVITY_EVENTS
                ]
    assert recorded[True] == ["MarkerRecorded"]
    assert recorded[False] == ["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"]


async def test_an_activity_completed_from_outside_with_its_task_token(client: Client) -> None:
    task_queue = f"approval-{uuid.uuid4().hex[:6]}"
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        async with worker(client, task_queue, executor):
            approved = await client.start_workflow(
                ApprovalWorkflow.run, "refund 1", id=f"approval-{uuid.uuid4().hex[:6]}", task_queue=task_queue
            )
            token = await task_token_of("refund 1")
            assert "refund 1" not in WAITING_FOR_APPROVAL  # handed over once
            pending = (await approved.describe()).raw_description.pending_activities
            assert [p.activity_type.name for p in pending] == ["request_approval"]
            await client.get_async_activity_handle(task_token=token).complete("approved by Grace")
            assert await approved.result() == "refund 1: approved by Grace"

            refused = await client.start_workflow(
                ApprovalWorkflow.run, "refund 2", id=f"approval-{uuid.uuid4().hex[:6]}", task_queue=task_queue
            )
            handle = client.get_async_activity_handle(task_token=await task_token_of("refund 2"))
            await handle.fail(ApplicationError("refused", non_retryable=True))
            with pytest.raises(WorkflowFailureError) as failure:
                await refused.result()
            assert failure.value.cause.cause.message == "refused"


async def test_no_token_in_time_says_what_to_check() -> None:
    with pytest.raises(TimeoutError, match="is the worker running"):
        await task_token_of("nobody asked", wait_s=0.1)
