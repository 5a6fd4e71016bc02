"""Lesson 07 workflows on the real dev server: queries with custom names and arguments, queries of
a closed workflow, a rejection condition, and what happens when a query misbehaves."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.common import QueryRejectCondition
from temporalio.worker import Worker

from temporal_notebooks.activities.queries import Order, PackingProgress, pack_item
from temporal_notebooks.runtime import explain
from temporal_notebooks.widgets.history import event_name
from temporal_notebooks.workflows.queries import MisbehavingQueriesWorkflow, PackingWorkflow

TASK_QUEUE = f"test-queries-{uuid.uuid4().hex[:6]}"
WORKFLOWS = [PackingWorkflow, MisbehavingQueriesWorkflow]


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with Worker(client, task_queue=TASK_QUEUE, workflows=WORKFLOWS, activities=[pack_item]) as running:
        yield running


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_progress_query_follows_a_running_workflow(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run, Order(["cup", "pot", "tray"], 0.3), id=new_id("pack"), task_queue=TASK_QUEUE
    )
    seen: list[PackingProgress] = []
    while not seen or seen[-1].status != "shipped":
        seen.append(await handle.query(PackingWorkflow.progress))
        await asyncio.sleep(0.1)
    assert seen[0].status == "packing" and len(seen[0].packed) < 3
    assert any(0 < len(p.packed) < 3 for p in seen)  # caught it half way
    assert seen[-1] == PackingProgress(["cup (boxed)", "pot (boxed)", "tray (boxed)"], [], "shipped")
    assert await handle.result() == seen[-1].packed


async def test_custom_name_with_an_argument(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run, Order(["cup", "cupboard"], 0.0), id=new_id("pack"), task_queue=TASK_QUEUE
    )
    await handle.result()
    assert await handle.query("is packed", "cup") is True  # by its custom name
    assert await handle.query(PackingWorkflow.is_packed, "cupboard") is True  # by method
    assert await handle.query(PackingWorkflow.is_packed, "lamp") is False
    with pytest.raises(WorkflowQueryFailedError):
        await handle.query("is_packed", "cup")  # the method name is not the query's name


async def test_closed_workflow_answers_queries_unless_rejected(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run, Order(["lamp"], 0.0), id=new_id("pack"), task_queue=TASK_QUEUE
    )
    await handle.result()
    assert (await handle.query(PackingWorkflow.progress)).status == "shipped"
    with pytest.raises(WorkflowQueryRejectedError) as info:
        await handle.query(PackingWorkflow.progress, reject_condition=QueryRejectCondition.NOT_OPEN)
    assert info.value.status == WorkflowExecutionStatus.COMPLETED
    line = explain(info.value)
    assert line == "The query was rejected: the workflow is completed."


async def test_not_open_condition_lets_a_running_workflow_answer(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run, Order(["a", "b"], 1.0), id=new_id("pack"), task_queue=TASK_QUEUE
    )
    progress = await handle.query(PackingWorkflow.progress, reject_condition=QueryRejectCondition.NOT_OPEN)
    assert progress.status == "packing"
    await handle.terminate()
    with pytest.raises(WorkflowQueryRejectedError) as info:
        await handle.query(PackingWorkflow.progress, reject_condition=QueryRejectCondition.NOT_OPEN)
    assert info.value.status == WorkflowExecutionStatus.TERMINATED


async def test_a_query_cannot_start_an_activity(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        MisbehavingQueriesWorkflow.run, id=new_id("bad"), task_queue=TASK_QUEUE
    )
    with pytest.raises(WorkflowQueryFailedError) as info:
        await handle.query(MisbehavingQueriesWorkflow.pack_now)
    assert "read-only" in str(info.value) and "activity" in str(info.value)
    line = explain(info.value)
    assert line is not None and line.startswith("The query failed") and "\n" not in line
    await handle.signal(MisbehavingQueriesWorkflow.finish)
    events = [event_name(e) async for e in handle.fetch_history_events()]
    assert "ActivityTaskScheduled" not in events


async def test_state_changed_by_a_query_is_lost_on_replay(client: Client) -> None:
    """On a caching worker the count goes up; a new worker rebuilds the workflow from its history,
    which has no trace of queries, and the count starts again."""
    queue = f"{TASK_QUEUE}-replay"
    handle_id = new_id("bad")
    async with Worker(client, task_queue=queue, workflows=WORKFLOWS, activities=[pack_item]):
        handle = await client.start_workflow(MisbehavingQueriesWorkflow.run, id=handle_id, task_queue=queue)
        counts = [await handle.query(MisbehavingQueriesWorkflow.times_asked) for _ in range(3)]
    assert counts == [1, 2, 3]
    async with Worker(client, task_queue=queue, workflows=WORKFLOWS, activities=[pack_item]):
        assert await handle.query(MisbehavingQueriesWorkflow.times_asked) == 1
        await handle.signal(MisbehavingQueriesWorkflow.finish)
        # Four queries were asked; the result counts only the one asked since the rebuild.
        assert await handle.result() == 1
    events = [event_name(e) async for e in handle.fetch_history_events()]
    assert not any("Query" in name for name in events)
