"""Lesson 15 code on the real dev server: search attributes registered once (and a clash refused),
the order's status read back from the visibility index, and a schedule's trigger and backfill."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleBackfill,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    ScheduleSpec,
)
from temporalio.common import SearchAttributeKey
from temporalio.worker import Worker

from temporal_notebooks.activities.schedules import (
    ORDER_STATUS,
    ORDER_TOTAL,
    SEARCH_ATTRIBUTES,
    Order,
    ReportInput,
    compile_report,
    pack_order,
)
from temporal_notebooks.runtime import NotebookError
from temporal_notebooks.runtime.visibility import (
    NotListedError,
    ensure_search_attributes,
    listed,
    schedule_actions,
    schedule_described,
)
from temporal_notebooks.workflows.schedules import OrderWorkflow, ReportWorkflow

TASK_QUEUE = f"test-schedules-{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    await ensure_search_attributes(client, SEARCH_ATTRIBUTES)
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[ReportWorkflow, OrderWorkflow],
        activities=[compile_report, pack_order],
    ) as running:
        yield running


async def test_search_attributes_are_registered_once_and_a_type_clash_is_refused(worker, client: Client):
    assert await ensure_search_attributes(client, SEARCH_ATTRIBUTES) == []
    with pytest.raises(NotebookError, match="OrderStatus already exist on the server with another type"):
        await ensure_search_attributes(client, [SearchAttributeKey.for_int("OrderStatus")])


async def test_the_order_is_found_by_the_status_it_upserted(worker, client: Client) -> None:
    order_id = f"order-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow(
        OrderWorkflow.run, Order(order_id, 70, wait_for_payment=True), id=order_id, task_queue=TASK_QUEUE
    )
    mine = f"WorkflowId = '{order_id}'"
    waiting = await listed(client, f"{mine} AND OrderStatus = 'awaiting payment' AND OrderTotal = 70")
    assert [run.id for run in waiting] == [order_id]
    await handle.signal(OrderWorkflow.pay)
    assert await handle.result() == f"{order_id} packed"
    shipped = await listed(client, f"{mine} AND OrderStatus = 'shipped'")
    attributes = shipped[0].typed_search_attributes
    assert (attributes.get(ORDER_STATUS), attributes.get(ORDER_TOTAL)) == ("shipped", 70)
    upserts = [
        e
        for e in (await handle.fetch_history()).events
        if e.HasField("upsert_workflow_search_attributes_event_attributes")
    ]
    assert len(upserts) == 4  # total, awaiting payment, packing, shipped


async def test_listed_says_what_it_found_when_nothing_comes(client: Client) -> None:
    with pytest.raises(NotListedError, match="found 0 workflow"):
        await listed(client, f"WorkflowId = 'never-{uuid.uuid4().hex}'", timeout_s=0.3)


async def test_a_schedule_triggered_and_backfilled_starts_its_runs(worker, client: Client) -> None:
    schedule_id = f"report-{uuid.uuid4().hex[:8]}"
    schedule = await client.create_schedule(
        schedule_id,
        Schedule(
            action=ScheduleActionStartWorkflow(
                ReportWorkflow.run, ReportInput("east"), id=f"{schedule_id}-run", task_queue=TASK_QUEUE
            ),
            spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(hours=1))]),
        ),
    )
    try:
        await schedule.describe()  # the schedule is running: a message sent at once was lost now and then
        await schedule.pause(note="paused in a test")
        # The pause in place first: a pause and a trigger sent one after the other lost the pause in one full
        # run of five (2 December 2026), as a trigger with a backfill lost one of them below. Each of these
        # is a "patch" to the schedule; our reading, not checked in the server's code, is that two reaching
        # its scheduler together keep only one. Lesson 15 never sends two of them together.
        state = (await schedule_described(schedule, lambda d: d.schedule.state.paused)).schedule.state
        assert state.paused and state.note == "paused in a test", state
        await schedule.trigger()  # a paused schedule still obeys a trigger
        # Its action first: a trigger sent together with a backfill was lost now and then (server 1.32).
        await schedule_actions(schedule, at_least=1)
        hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        await schedule.backfill(
            # no firing on the range's edges: 3 hours, 3 runs
            ScheduleBackfill(
                hour - timedelta(hours=3, minutes=1),
                hour - timedelta(minutes=1),
                ScheduleOverlapPolicy.ALLOW_ALL,
            )
        )
        described = await schedule_actions(schedule, at_least=4)
        assert described.info.num_actions == 4 and described.schedule.state.paused
        runs = await listed(
            client, f"TemporalScheduledById = '{schedule_id}' AND ExecutionStatus = 'Completed'", at_least=4
        )
        assert len(runs) == 4
        results = {await client.get_workflow_handle(run.id, run_id=run.run_id).result() for run in runs}
        assert results == {"sales report for east"}
    finally:
        await schedule.delete()
