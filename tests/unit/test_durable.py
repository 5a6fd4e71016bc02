"""Lesson 01b's order workflow on the time-skipping test server: four steps with timers between
them, and a worker replaced in the middle without any completed step running again."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_notebooks.activities.durable import STEP_NAMES, STEPS, Order, executions, step_records
from temporal_notebooks.workflows.durable import OrderWorkflow


def order_worker(env: WorkflowEnvironment, queue: str, identity: str = "first") -> Worker:
    # No sticky cache: the test server would keep offering the next workflow task to a stopped worker.
    return Worker(
        env.client,
        task_queue=queue,
        workflows=[OrderWorkflow],
        activities=STEPS,
        max_cached_workflows=0,
        identity=identity,
    )


async def test_the_order_runs_its_four_steps_with_a_timer_between_each_two(env: WorkflowEnvironment) -> None:
    queue = f"durable-{uuid.uuid4()}"
    async with order_worker(env, queue):
        handle = await env.client.start_workflow(
            OrderWorkflow.run,
            Order(f"o-{uuid.uuid4()}", pause_s=3600),
            id=str(uuid.uuid4()),
            task_queue=queue,
        )
        result = await handle.result()
    assert result == [f"{name} done" for name in STEP_NAMES]
    events = [event async for event in handle.fetch_history_events()]
    assert sum(event.HasField("timer_fired_event_attributes") for event in events) == 3
    assert [str(r).split()[0] for r in step_records(events)] == STEP_NAMES
    assert executions(handle.result_run_id) == dict.fromkeys(STEP_NAMES, 1)


async def test_a_new_worker_continues_without_running_completed_steps_again(env: WorkflowEnvironment) -> None:
    queue = f"durable-{uuid.uuid4()}"
    order = Order(f"o-{uuid.uuid4()}", pause_s=3600)
    async with order_worker(env, queue):
        handle = await env.client.start_workflow(
            OrderWorkflow.run, order, id=str(uuid.uuid4()), task_queue=queue
        )
        # Time stands still on the test server until a result is awaited: the run stays on the
        # hour-long timer after its first step.
        async with asyncio.timeout(60):
            while await handle.query(OrderWorkflow.steps_done) != ["reserve_items done"]:
                await asyncio.sleep(0.05)
    # The first worker is gone; a second one takes over and the timers fire.
    async with order_worker(env, queue, identity="second"):
        assert len(await handle.result()) == 4
    events = [event async for event in handle.fetch_history_events()]
    records = step_records(events)
    assert [r.scheduled for r in records] == [1, 1, 1, 1]
    assert [r.attempt for r in records] == [1, 1, 1, 1]
    assert executions(handle.result_run_id) == dict.fromkeys(STEP_NAMES, 1)
    assert [r.worker for r in records] == ["first", "second", "second", "second"]
