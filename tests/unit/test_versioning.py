"""Lesson 17 workflows on the dev server: a run in flight finishes on the patched code by its old
path, each stage replays exactly the histories the lesson's table says, and two deployment
versions on one task queue keep each pinned run on the code it started with."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.service import RPCError
from temporalio.worker import Replayer, Worker, WorkerDeploymentConfig
from temporalio.workflow import NondeterminismError

from temporal_notebooks.activities.versioning import DELIVERY_ACTIVITIES
from temporal_notebooks.runtime.deployments import set_current_version, version_of
from temporal_notebooks.runtime.worker import _worker_key, running_workers, start_worker, stop_worker
from temporal_notebooks.workflows.versioning import (
    DeliveryDeprecated,
    DeliveryPatched,
    DeliveryV1,
    DeliveryV2,
    InsuredDelivery,
)

STAGES = [DeliveryV1, DeliveryPatched, DeliveryDeprecated, DeliveryV2]
# Which stage's code replays which stage's history (rows: code; columns: recorded by), as lesson 17 shows it.
REPLAYS = [
    [True, False, False, False],
    [True, True, True, False],
    [False, True, True, True],
    [False, False, True, True],
]


@asynccontextmanager
async def worker_for(
    client: Client, task_queue: str, workflows: list[type], **options
) -> AsyncIterator[Worker]:
    with concurrent.futures.ThreadPoolExecutor(4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=workflows,
            activities=DELIVERY_ACTIVITIES,
            activity_executor=executor,
            **options,
        ) as worker:
            yield worker


async def start(
    client: Client, task_queue: str, order_id: str, workflow_type: str = "Delivery"
) -> WorkflowHandle:
    return await client.start_workflow(
        workflow_type, order_id, id=f"versioning-{order_id}-{uuid.uuid4().hex[:6]}", task_queue=task_queue
    )


async def until_packed(handle: WorkflowHandle) -> None:
    completed = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
    for _ in range(200):
        if any(e.event_type == completed for e in (await handle.fetch_history()).events):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} never packed")


async def run_stage(client: Client, workflow_class: type, order_id: str) -> tuple[list[str], WorkflowHistory]:
    task_queue = f"versioning-{uuid.uuid4().hex[:6]}"
    async with worker_for(client, task_queue, [workflow_class]):
        handle = await start(client, task_queue, order_id)
        await handle.signal("pick_up")
        return await handle.result(), await handle.fetch_history()


def patch_markers(history: WorkflowHistory) -> list[dict]:
    return [
        json.loads(e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]


async def test_a_run_in_flight_finishes_on_the_patched_code_by_its_old_path(client: Client) -> None:
    task_queue = f"versioning-{uuid.uuid4().hex[:6]}"
    async with worker_for(client, task_queue, [DeliveryV1]):
        order = await start(client, task_queue, "order-1")
        await until_packed(order)
    recorded = await order.fetch_history()
    with pytest.raises(NondeterminismError, match="check_address"):
        await Replayer(workflows=[DeliveryV2]).replay_workflow(recorded)
    await Replayer(workflows=[DeliveryPatched]).replay_workflow(recorded)
    async with worker_for(client, task_queue, [DeliveryPatched]):  # the deploy
        await order.signal("pick_up")
        assert await order.result() == ["packed order-1", "shipped order-1"]
    assert patch_markers(await order.fetch_history()) == []


async def test_each_stage_replays_the_histories_the_lesson_says(client: Client) -> None:
    histories = []
    for number, stage in enumerate(STAGES, 1):
        result, history = await run_stage(client, stage, f"order-{number}")
        assert result[-2:] == [f"packed order-{number}", f"shipped order-{number}"]
        assert ("address of" in result[0]) == (number > 1), result
        histories.append(history)
    assert [patch_markers(h) for h in histories] == [
        [],
        [{"id": "check-address", "deprecated": False}],
        [{"id": "check-address", "deprecated": True}],
        [],
    ]
    table = []
    for stage in STAGES:
        row = []
        for history in histories:
            replay = await Replayer(workflows=[stage]).replay_workflow(history, raise_on_replay_failure=False)
            row.append(replay.replay_failure is None)
        table.append(row)
    assert table == REPLAYS
    removed_on_patched = await Replayer(workflows=[DeliveryV2]).replay_workflow(
        histories[1], raise_on_replay_failure=False
    )
    assert "Non-deprecated patch marker" in str(removed_on_patched.replay_failure)


async def test_a_new_type_runs_next_to_the_old_one(client: Client) -> None:
    task_queue = f"versioning-{uuid.uuid4().hex[:6]}"
    async with worker_for(client, task_queue, [DeliveryV2, InsuredDelivery]):
        old, new = (
            await start(client, task_queue, "o5"),
            await start(client, task_queue, "o6", "InsuredDelivery"),
        )
        for handle in (old, new):
            await handle.signal("pick_up")
        assert await old.result() == ["address of o5 checked", "packed o5", "shipped o5"]
        assert (await new.result())[0] == "insured o6"


def deployment(build_id: str, name: str) -> WorkerDeploymentConfig:
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(name, build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.PINNED,
    )


async def test_pinned_runs_stay_on_the_version_they_started_on(client: Client) -> None:
    name, task_queue = f"delivery-{uuid.uuid4().hex[:6]}", f"deployments-{uuid.uuid4().hex[:6]}"
    async with worker_for(client, task_queue, [DeliveryV1], deployment_config=deployment("v1", name)):
        await set_current_version(client, WorkerDeploymentVersion(name, "v1"))
        first = await start(client, task_queue, "p1")
        await until_packed(first)
        async with worker_for(client, task_queue, [DeliveryV2], deployment_config=deployment("v2", name)):
            await set_current_version(client, WorkerDeploymentVersion(name, "v2"))
            second = await start(client, task_queue, "p2")
            await until_packed(second)
            for handle in (first, second):
                await handle.signal("pick_up")
            assert await first.result() == ["packed p1", "shipped p1"]
            assert await second.result() == ["address of p2 checked", "packed p2", "shipped p2"]
            assert await version_of(first) == f"{name}.v1"
            assert await version_of(second) == f"{name}.v2"


async def test_set_current_version_gives_up_on_a_version_no_worker_runs(client: Client) -> None:
    with pytest.raises(RPCError):
        await set_current_version(
            client, WorkerDeploymentVersion(f"nobody-{uuid.uuid4().hex[:6]}", "v1"), 0.5
        )


async def test_start_worker_keeps_one_worker_per_deployment_version(client: Client) -> None:
    task_queue = f"keys-{uuid.uuid4().hex[:6]}"
    versions = [deployment(build, f"keys-{uuid.uuid4().hex[:6]}") for build in ("v1", "v2")]
    try:
        for config in [*versions, versions[0]]:  # the third start replaces the first
            await start_worker(
                client,
                task_queue,
                workflows=[DeliveryV1],
                activities=DELIVERY_ACTIVITIES,
                show_status=False,
                deployment_config=config,
            )
        keys = [key for key in running_workers() if key.startswith(task_queue)]
        assert sorted(keys) == sorted(_worker_key(task_queue, config) for config in versions)
        assert _worker_key(task_queue) == task_queue
    finally:
        for config in versions:
            await stop_worker(_worker_key(task_queue, config))
    assert not [key for key in running_workers() if key.startswith(task_queue)]
