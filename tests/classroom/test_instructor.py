"""The instructor's view: a scripted class on the dev server, and what the data function makes of it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import pytest_asyncio
from nbrun import errors, execute_twice, output_text, run_all_queued
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.activities.parameters import price_item
from temporal_notebooks.activities.signals import GreeterInput, format_greeting
from temporal_notebooks.classroom import OTHER, ClassStatus, ClassView, LessonIndex, class_status
from temporal_notebooks.runtime.exercises import solution_source, write_module
from temporal_notebooks.runtime.learner import SEPARATOR
from temporal_notebooks.workflows.greeting import GreetingWorkflow
from temporal_notebooks.workflows.parameters import PriceWorkflow
from temporal_notebooks.workflows.signals import GreeterWorkflow

TAG = uuid.uuid4().hex[:6]
ANN, BEN, CAT, DAN = (f"cls{TAG}-{name}" for name in ("ann", "ben", "cat", "dan"))
LEARNERS = [ANN, BEN, CAT, DAN]


def named(learner: str, name: str) -> str:
    """What scoped(name) gives in that learner's kernel."""
    return f"{learner}{SEPARATOR}{name}"


@pytest_asyncio.fixture(scope="module")
async def scripted_class(client: Client) -> AsyncIterator[list[str]]:
    """ann: lesson 01 done twice, lesson 06 greeter still open. ben: 01 done, 02 failed.
    cat: 01 with a typo run (terminated) then done, and the 01 exercise checked; one run of a
    workflow no lesson knows. dan: only a greeter, still open."""
    exercise = write_module("exercise01", solution_source("lesson01").partition("\n")[2])
    shout = exercise.ShoutWorkflow
    running: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        workers = [
            Worker(
                client,
                task_queue=named(learner, queue),
                workflows=workflows,
                activities=activities,
                activity_executor=executor,
            )
            for learner in LEARNERS
            for queue, workflows, activities in (
                ("workflow-basics", [GreetingWorkflow], [compose_greeting]),
                ("parameters", [PriceWorkflow], [price_item]),
                ("signals", [GreeterWorkflow], [format_greeting]),
                ("check-Shout", [shout], [compose_greeting]),
            )
        ]
        tasks = [asyncio.ensure_future(w.run()) for w in workers]
        try:
            for learner, runs in ((ANN, 2), (BEN, 1), (CAT, 1)):
                for i in range(runs):
                    await client.execute_workflow(
                        GreetingWorkflow.run,
                        learner,
                        id=named(learner, f"greeting-{i}"),
                        task_queue=named(learner, "workflow-basics"),
                    )
            try:
                await client.execute_workflow(
                    PriceWorkflow.run,
                    args=["kettle", 1, BEN],  # not sold: the activity's non-retryable error fails the run
                    id=named(BEN, "price"),
                    task_queue=named(BEN, "parameters"),
                )
            except WorkflowFailureError:
                pass
            typo = await client.start_workflow(
                "GreetingWorkflw",
                CAT,
                id=named(CAT, "typo-greeting"),
                task_queue=named(CAT, "workflow-basics"),
            )
            await typo.terminate("typo")
            await client.execute_workflow(
                "Shout", CAT, id=named(CAT, "check-1234"), task_queue=named(CAT, "check-Shout")
            )
            await client.start_workflow(
                "SomethingElse", id=named(CAT, "experiment"), task_queue=named(CAT, "scratch")
            )
            running.append(named(CAT, "experiment"))
            for learner in (ANN, DAN):
                await client.start_workflow(
                    GreeterWorkflow.run,
                    GreeterInput(),
                    id=named(learner, "greeter"),
                    task_queue=named(learner, "signals"),
                )
                running.append(named(learner, "greeter"))
            yield LEARNERS
        finally:
            for workflow_id in running:
                await client.get_workflow_handle(workflow_id).terminate("test over")
            await asyncio.gather(*(w.shutdown() for w in workers))
            await asyncio.gather(*tasks, return_exceptions=True)


async def settled_status(client: Client, expected_runs: int) -> ClassStatus:
    """Visibility is eventually consistent: read until every scripted run is listed."""
    deadline = time.monotonic() + 15
    while True:
        status = await class_status(client, learners=LEARNERS)
        if len(status.rows) >= expected_runs or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.1)


async def test_per_learner_status_of_a_scripted_class(client: Client, scripted_class) -> None:
    status = await settled_status(client, expected_runs=10)

    assert status.learners == sorted(LEARNERS)
    assert len(status.rows) == 10
    assert status.state(ANN, "01") == "completed"
    assert status.progress[ANN]["01"].completed == 2
    assert status.state(ANN, "06") == "running"
    assert status.state(BEN, "01") == "completed"
    assert status.state(BEN, "02") == "failed"
    # cat's terminated typo run does not hide the greeting and the exercise that completed after it.
    cat = status.progress[CAT]["01"]
    assert (cat.completed, cat.stopped, cat.failed, cat.running) == (2, 1, 0, 0)
    assert status.state(CAT, "01") == "completed"
    assert status.state(CAT, OTHER) == "running"
    assert status.state(DAN, "06") == "running"
    assert status.state(DAN, "01") is None
    assert status.lessons_run(ANN) == ["01", "06"]
    assert status.lessons_run(BEN) == ["01", "02"]
    assert status.lessons_run(CAT) == ["01", OTHER]
    assert status.lessons_run(DAN) == ["06"]
    assert status.learners_by_state("01") == {"completed": 3, "failed": 0, "running": 0, "stopped": 0}
    assert status.learners_by_state("06") == {"completed": 0, "failed": 0, "running": 2, "stopped": 0}
    assert status.unscoped == []

    # The table and the chart name every learner and are well-formed markup.
    table, chart = status.table_html(), status.chart_svg()
    ET.fromstring(chart)
    ET.fromstring(table.replace("&nbsp;", " "))
    assert all(learner in table for learner in LEARNERS)
    assert "learners per lesson (of 4)" in chart
    assert BEN in repr(status) and "02:failed" in repr(status)
    assert named(BEN, "price") in status.learner_html(BEN)


async def test_one_learner_only(client: Client, scripted_class) -> None:
    status = await class_status(client, learners=[BEN])
    assert status.learners == [BEN]
    assert {r.workflow_id for r in status.rows} == {named(BEN, "greeting-0"), named(BEN, "price")}


async def test_runs_without_a_learner_prefix_are_reported_apart(client: Client) -> None:
    plain_id = f"noprefix-{TAG}"
    handle = await client.start_workflow("Anything", id=plain_id, task_queue=f"noqueue-{TAG}")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            status = await class_status(client)
            if plain_id in {r.workflow_id for r in status.unscoped}:
                break
            await asyncio.sleep(0.1)
        assert plain_id in {r.workflow_id for r in status.unscoped}
        assert "" not in status.progress
        assert "without a learner prefix" in status.summary()
    finally:
        await handle.terminate("test over")


def test_lesson_of_a_workflow_by_task_queue_then_type() -> None:
    index = LessonIndex.build()
    assert index.lesson_of(named("x", "workflow-basics"), "GreetingWorkflw") == "01"  # queue wins
    assert index.lesson_of(named("x", "start-here"), "GreetingWorkflow") == "00"
    assert index.lesson_of(named("x", "elsewhere"), "GreetingWorkflow") == "01"  # the type's lesson
    assert index.lesson_of(named("x", "check-Shout"), "Shout") == "01"  # the exercise's solution type
    assert index.lesson_of(named("x", "elsewhere"), "GreeterWorkflow") == "06"
    assert index.lesson_of(named("x", "elsewhere"), "NoSuchWorkflow") == OTHER


async def test_instructor_notebook_runs_twice_and_shows_the_class(scripted_class) -> None:
    passes = await execute_twice("instructor")
    for nb in passes:
        assert errors(nb) == []
        text = output_text(nb)
        assert "learners," in text and "workflow runs" in text
        assert ANN in text and DAN in text
        assert "learners per lesson" in text


async def test_instructor_notebook_run_all_queued() -> None:
    replies = await run_all_queued("instructor")
    assert [r["status"] for r in replies] == ["ok"] * len(replies)


async def test_class_view_refresh_button_and_auto_refresh(client: Client, scripted_class) -> None:
    view = ClassView(client, learners=LEARNERS, every_s=0.2)
    view.button.click()  # what a click in the browser runs: the refresh is scheduled on the loop
    deadline = time.monotonic() + 15
    while view.refreshes < 1 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert view.refreshes == 1
    assert all(learner in view.output.value for learner in LEARNERS)
    assert view.line.value.startswith("4 learners, ")

    view.auto.value = True
    while view.refreshes < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert view.refreshes >= 3
    view.auto.value = False
    await asyncio.sleep(0.5)
    settled = view.refreshes
    await asyncio.sleep(0.5)
    assert view.refreshes == settled  # switched off: no more refreshes
