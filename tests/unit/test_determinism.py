"""Lesson 05 workflows on the dev server (no timers): the deterministic tools replay, the sandbox
stops each rule breaker, module state does not leak between runs, and the three versions of
ShipOrder replay (or fail to) exactly as the lesson says."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from temporal_notebooks.activities.determinism import (
    add_to_newsletter,
    charge_payment,
    check_fraud,
    create_account,
    make_coupon_code,
    send_welcome_email,
    ship_parcel,
)
from temporal_notebooks.runtime import WorkflowTaskFailedError, explain
from temporal_notebooks.runtime.results import WatchResultsInterceptor
from temporal_notebooks.widgets.history import event_name
from temporal_notebooks.workflows.determinism import (
    GlobalStateWorkflow,
    PrintOrLogWorkflow,
    RuleBreakerWorkflow,
    SafeAlternativesWorkflow,
    ShipOrderPatched,
    ShipOrderV1,
    ShipOrderV2,
    SignupV1,
)

ACTIVITIES = [
    make_coupon_code,
    charge_payment,
    check_fraud,
    ship_parcel,
    create_account,
    add_to_newsletter,
    send_welcome_email,
]


@pytest_asyncio.fixture(scope="module")
async def watched(run_server) -> Client:
    """A client like the notebooks': a stuck workflow task raises instead of waiting forever."""
    return await Client.connect(run_server.address, interceptors=[WatchResultsInterceptor()])


async def _worker(client: Client, workflows: list[type]) -> AsyncIterator[str]:
    task_queue = f"test-determinism-{uuid.uuid4().hex[:6]}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=workflows,
            activities=ACTIVITIES,
            activity_executor=executor,
        ):
            yield task_queue


@pytest_asyncio.fixture(scope="module")
async def queue(watched: Client) -> AsyncIterator[str]:
    """A worker with version 1 of ShipOrder (the one "deployed" first)."""
    workflows = [
        SafeAlternativesWorkflow,
        RuleBreakerWorkflow,
        GlobalStateWorkflow,
        ShipOrderV1,
        SignupV1,
        PrintOrLogWorkflow,
    ]
    async for task_queue in _worker(watched, workflows):
        yield task_queue


@pytest_asyncio.fixture(scope="module")
async def patched_queue(watched: Client) -> AsyncIterator[str]:
    """A worker with the patched ShipOrder (the fix, deployed later)."""
    async for task_queue in _worker(watched, [ShipOrderPatched]):
        yield task_queue


async def start(client: Client, task_queue: str, workflow, arg) -> WorkflowHandle:
    return await client.start_workflow(
        workflow, arg, id=f"lesson05-{uuid.uuid4().hex[:8]}", task_queue=task_queue
    )


async def finished(client: Client, task_queue: str, workflow, arg) -> tuple[WorkflowHandle, object]:
    handle = await start(client, task_queue, workflow, arg)
    return handle, await asyncio.wait_for(handle.result(), 20)


async def replay(handle: WorkflowHandle, workflow_class: type) -> Exception | None:
    """None when ``workflow_class`` replays the run's history, else the replay failure."""
    history = await handle.fetch_history()
    result = await Replayer(workflows=[workflow_class]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    return result.replay_failure


async def test_safe_alternatives_give_values_that_replay(watched: Client, queue: str) -> None:
    handle, values = await finished(watched, queue, SafeAlternativesWorkflow.run, "ada")
    assert 1 <= values.dice_roll <= 6
    assert uuid.UUID(values.order_id).version == 4
    assert values.coupon.startswith("ADA-")
    started = (await handle.describe()).start_time
    assert abs((datetime.fromisoformat(values.started_at) - started).total_seconds()) < 5
    assert await replay(handle, SafeAlternativesWorkflow) is None


@pytest.mark.parametrize(
    ("rule", "blocked"),
    [
        ("system time", "datetime.datetime.now"),
        ("randomness", "random.randint"),
        ("I/O", "__builtins__.open"),
        ("threads", "threading.Thread"),
    ],
)
async def test_the_sandbox_stops_each_rule_breaker(
    watched: Client, queue: str, rule: str, blocked: str
) -> None:
    handle = await start(watched, queue, RuleBreakerWorkflow.run, rule)
    try:
        with pytest.raises(WorkflowTaskFailedError) as caught:
            await asyncio.wait_for(handle.result(), 20)
        assert f"Cannot access {blocked}" in str(caught.value)
        assert "determinism.py line" in str(caught.value)  # points at the workflow's own line
    finally:
        await handle.terminate("test done")


async def test_module_state_does_not_survive_between_runs(watched: Client, queue: str) -> None:
    counts = [(await finished(watched, queue, GlobalStateWorkflow.run, name))[1] for name in ("ada", "grace")]
    assert counts == [1, 1]


async def test_an_inserted_step_breaks_replay_and_a_patch_fixes_it(watched: Client, queue: str) -> None:
    old_run, steps = await finished(watched, queue, ShipOrderV1.run, "order-1")
    assert steps == ["charged order-1", "shipped order-1"]
    assert await replay(old_run, ShipOrderV1) is None

    failure = await replay(old_run, ShipOrderV2)
    assert isinstance(failure, NondeterminismError)
    line = explain(failure)
    assert "[TMPRL1100]" in line and "'charge_payment'" in line and "'check_fraud'" in line
    assert "Failure {" not in line and "workflow.patched" in line

    assert await replay(old_run, ShipOrderPatched) is None


async def test_new_runs_of_the_patched_code_take_the_new_path(watched: Client, patched_queue: str) -> None:
    new_run, steps = await finished(watched, patched_queue, ShipOrderPatched.run, "order-2")
    assert steps == ["order-2 looks fine", "charged order-2", "shipped order-2"]
    names = [event_name(e) async for e in new_run.fetch_history_events()]
    assert "MarkerRecorded" in names  # the patch marker, so replays of this run take the new path too
    assert await replay(new_run, ShipOrderPatched) is None
    assert isinstance(await replay(new_run, ShipOrderV1), NondeterminismError)  # no rolling back


async def test_signup_v1_creates_the_account_then_welcomes(watched: Client, queue: str) -> None:
    _, steps = await finished(watched, queue, SignupV1.run, "ada@example.com")
    assert steps == ["account for ada@example.com", "welcome email sent to ada@example.com"]


async def test_print_repeats_on_replay_and_the_workflow_logger_does_not(
    watched: Client, queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records: list[str] = []
    collect = logging.Handler(logging.INFO)
    collect.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("temporalio.workflow")
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    try:
        handle, result = await finished(watched, queue, PrintOrLogWorkflow.run, "order-7")
        assert result == "order-7 charged"
        live_prints, live_logs = capsys.readouterr().out.count("print: charging"), len(records)
        assert await replay(handle, PrintOrLogWorkflow) is None
        replay_prints = capsys.readouterr().out.count("print: charging")
    finally:
        logger.removeHandler(collect)
        logger.setLevel(logging.NOTSET)
    assert (live_prints, live_logs) == (1, 1)
    assert (replay_prints, len(records) - live_logs) == (1, 0)
