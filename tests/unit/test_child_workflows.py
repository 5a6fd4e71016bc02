"""Lesson 13 on the real dev server: a parent with one child per item, each parent close policy as
the child's own history records it, and a card that continues as new with its state (and waits for a
busy handler first)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import Worker

from temporal_notebooks.activities.child_workflows import (
    Card,
    Order,
    confirm_reward,
    pack_item,
    return_parcel,
)
from temporal_notebooks.widgets.history import fetch_history, fetch_run_chain
from temporal_notebooks.workflows.child_workflows import (
    CourierWorkflow,
    DispatchWorkflow,
    LoyaltyCardWorkflow,
    PackItemWorkflow,
    PackOrderWorkflow,
)

TASK_QUEUE = f"test-children-{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[
            PackOrderWorkflow,
            PackItemWorkflow,
            DispatchWorkflow,
            CourierWorkflow,
            LoyaltyCardWorkflow,
        ],
        activities=[pack_item, return_parcel, confirm_reward],
    ) as running:
        yield running


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def started_points(run) -> int:
    """The points of the card a run started with (its input)."""
    payload = run.events[0].workflow_execution_started_event_attributes.input.payloads[0]
    return json.loads(payload.data)["points"]


def activities_of(history) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]


@pytest.mark.parametrize("one_at_a_time", [False, True])
async def test_one_child_per_item_with_ids_from_the_parent(
    client: Client, worker, one_at_a_time: bool
) -> None:
    parent = await client.start_workflow(
        PackOrderWorkflow.run,
        Order("o", ["mug", "tea", "cake"], one_at_a_time),
        id=new_id("order"),
        task_queue=TASK_QUEUE,
    )
    assert await parent.result() == ["mug packed", "tea packed", "cake packed"]
    history = await fetch_history(parent)
    started = [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in history.events
        if e.HasField("start_child_workflow_execution_initiated_event_attributes")
    ]
    assert started == [f"{parent.id}/mug", f"{parent.id}/tea", f"{parent.id}/cake"]
    assert history.names.count("ChildWorkflowExecutionCompleted") == 3
    completed_at = [i for i, name in enumerate(history.names) if name == "ChildWorkflowExecutionCompleted"]
    initiated_at = [
        i for i, name in enumerate(history.names) if name == "StartChildWorkflowExecutionInitiated"
    ]
    # one at a time: each child starts after the previous one completed; else all start first
    assert (initiated_at[1] > completed_at[0]) == one_at_a_time
    child = await client.get_workflow_handle(f"{parent.id}/tea").describe()
    assert child.parent_id == parent.id and child.status == WorkflowExecutionStatus.COMPLETED


async def closed_child(client: Client, policy: str) -> tuple[str, object, list[str]]:
    """Run a dispatcher with ``policy``; the courier's status once the policy had its effect."""
    parent = await client.start_workflow(
        DispatchWorkflow.run, args=["parcel", policy], id=new_id("dispatch"), task_queue=TASK_QUEUE
    )
    await parent.result()
    courier = client.get_workflow_handle(f"{parent.id}/courier")
    async with asyncio.timeout(15):
        while (status := (await courier.describe()).status) == WorkflowExecutionStatus.RUNNING:
            if policy == "ABANDON":
                break
            await asyncio.sleep(0.05)
    history = await fetch_history(courier)
    return status.name, courier, history


async def test_terminate_ends_the_child_with_no_more_of_its_code(client: Client, worker) -> None:
    status, _, history = await closed_child(client, "TERMINATE")
    assert status == "TERMINATED"
    assert history.names[-1] == "WorkflowExecutionTerminated"
    assert (
        history.events[-1].workflow_execution_terminated_event_attributes.reason == "by parent close policy"
    )
    assert activities_of(history) == []


async def test_request_cancel_lets_the_child_clean_up_then_end_cancelled(client: Client, worker) -> None:
    status, _, history = await closed_child(client, "REQUEST_CANCEL")
    assert status == "CANCELED"
    assert "WorkflowExecutionCancelRequested" in history.names
    assert activities_of(history) == ["return_parcel"]
    assert history.names.index("WorkflowExecutionCancelRequested") < history.names.index(
        "ActivityTaskCompleted"
    )
    assert history.names[-1] == "WorkflowExecutionCanceled"


async def test_abandon_leaves_the_child_running_on_its_own(client: Client, worker) -> None:
    status, courier, history = await closed_child(client, "ABANDON")
    assert status == "RUNNING"
    await courier.signal(CourierWorkflow.deliver)
    assert await courier.result() == "parcel delivered"
    history = await fetch_history(courier)
    assert "WorkflowExecutionCancelRequested" not in history.names
    assert history.names[-1] == "WorkflowExecutionCompleted"


async def test_the_card_continues_as_new_with_its_state_after_its_handlers_finish(
    client: Client, worker
) -> None:
    card = await client.start_workflow(
        LoyaltyCardWorkflow.run, Card("ada", points=7), id=new_id("card"), task_queue=TASK_QUEUE
    )
    redeeming = asyncio.ensure_future(card.execute_update(LoyaltyCardWorkflow.redeem, 5))
    sent = 0
    while (await card.query(LoyaltyCardWorkflow.state)).runs < 3:
        await card.signal(LoyaltyCardWorkflow.add_points, 1)
        sent += 1
        assert sent < 500
    assert await redeeming == "reward for 5 points confirmed"
    await card.signal(LoyaltyCardWorkflow.close)
    final = await card.result()
    assert final.points == 7 + sent - 5  # every point reached the last run
    assert final.runs == 3 and len(final.continued_because) == 2
    assert all(
        "the lesson's limit" in line and "server suggestion: no" in line for line in final.continued_because
    )

    chain = (await fetch_run_chain(client, card.id)).runs
    assert [run.names[-1] for run in chain] == [
        "WorkflowExecutionContinuedAsNew",
        "WorkflowExecutionContinuedAsNew",
        "WorkflowExecutionCompleted",
    ]
    # each run starts with the card as the last run left it: its points plus the run's signals,
    # minus its redeemed points
    for earlier, later in zip(chain, chain[1:], strict=False):
        adds = sum(
            e.workflow_execution_signaled_event_attributes.signal_name == "add_points"
            for e in earlier.events
            if e.HasField("workflow_execution_signaled_event_attributes")
        )
        redeemed = 5 * earlier.names.count("WorkflowExecutionUpdateAccepted")
        assert started_points(later) == started_points(earlier) + adds - redeemed
    assert started_points(chain[0]) == 7
    # the redeem update answered in the run it was accepted in, before that run continued
    first = chain[0].names
    assert first.index("WorkflowExecutionUpdateCompleted") < first.index("WorkflowExecutionContinuedAsNew")
