"""The instructor's view: a scripted class on the dev server, and what the data function makes of it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import json
import socket
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import pytest_asyncio
from nbrun import NOTEBOOKS, errors, execute_twice, output_text, run_all_queued
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.activities.parameters import price_item
from temporal_notebooks.activities.signals import GreeterInput, format_greeting
from temporal_notebooks.classroom import (
    LESSONS,
    OTHER,
    SMOKE_LEARNER,
    ClassStatus,
    ClassView,
    LessonIndex,
    class_status,
)
from temporal_notebooks.runtime.exercises import solution_source, write_module
from temporal_notebooks.runtime.learner import SEPARATOR
from temporal_notebooks.workflows.greeting import GreetingWorkflow
from temporal_notebooks.workflows.parameters import PriceWorkflow
from temporal_notebooks.workflows.signals import GreeterWorkflow

TAG = uuid.uuid4().hex[:6]
# A learner's bug: an exception in workflow code fails the workflow *task*, retried for ever.
BROKEN_SOURCE = """
from temporalio import workflow
from temporalio.exceptions import ApplicationError


@workflow.defn(name="BrokenOnEveryTask")
class BrokenWorkflow:
    @workflow.run
    async def run(self) -> str:
        raise RuntimeError("a bug in the learner's workflow code")


@workflow.defn(name="Shout")
class UnfinishedShout:
    # A first attempt at exercise 01 that fails its run.

    @workflow.run
    async def run(self, name: str) -> str:
        raise ApplicationError("not written yet", non_retryable=True)
"""
ANN, BEN, CAT, DAN = (f"cls{TAG}-{name}" for name in ("ann", "ben", "cat", "dan"))
LEARNERS = [ANN, BEN, CAT, DAN]


def named(learner: str, name: str) -> str:
    """What scoped(name) gives in that learner's kernel."""
    return f"{learner}{SEPARATOR}{name}"


@pytest_asyncio.fixture(scope="module")
async def scripted_class(client: Client) -> AsyncIterator[list[str]]:
    """ann: lesson 01 done twice; 06's greeter done and its playground greeter left open (as the
    notebook leaves it); in 05 a rule breaker whose task fails, as the lesson shows on purpose.
    ben: 01 done, 02 failed for real. cat: 01 with the lesson's typo run (terminated on purpose)
    then done, and the 01 exercise checked twice, the first attempt failing; one run of a workflow
    no lesson knows. dan: 06's greeter still open, and in 05 a workflow whose task fails right now.
    And a smoke test run that failed, which is not a learner's."""
    exercise = write_module("exercise01", solution_source("lesson01").partition("\n")[2])
    learner_code = write_module("classroom_broken", BROKEN_SOURCE)
    broken, unfinished = learner_code.BrokenWorkflow, learner_code.UnfinishedShout
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
            for learner in [*LEARNERS, SMOKE_LEARNER]
            for queue, workflows, activities in (
                ("workflow-basics", [GreetingWorkflow], [compose_greeting]),
                ("parameters", [PriceWorkflow], [price_item]),
                ("signals", [GreeterWorkflow], [format_greeting]),
                ("check-Shout", [shout], [compose_greeting]),
                ("determinism", [broken], []),
                ("check-Shout-v0", [unfinished], []),
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
            for learner, workflow_id in ((BEN, "price"), (SMOKE_LEARNER, TAG)):
                try:
                    await client.execute_workflow(
                        PriceWorkflow.run,
                        args=["kettle", 1, learner],  # not sold: the activity's non-retryable error fails it
                        id=named(learner, workflow_id),
                        task_queue=named(learner, "parameters"),
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
            try:  # the first attempt at the exercise: the check's run fails
                await client.execute_workflow(
                    "Shout", CAT, id=named(CAT, "check-0000"), task_queue=named(CAT, "check-Shout-v0")
                )
            except WorkflowFailureError:
                pass
            await client.execute_workflow(
                "Shout", CAT, id=named(CAT, "check-1234"), task_queue=named(CAT, "check-Shout")
            )
            await client.start_workflow(
                "SomethingElse", id=named(CAT, "experiment"), task_queue=named(CAT, "scratch")
            )
            running.append(named(CAT, "experiment"))
            for learner, workflow_id in ((ANN, "greeter-playground"), (DAN, "greeter")):
                await client.start_workflow(
                    GreeterWorkflow.run,
                    GreeterInput(),
                    id=named(learner, workflow_id),
                    task_queue=named(learner, "signals"),
                )
                running.append(named(learner, workflow_id))
            greeter = await client.start_workflow(
                GreeterWorkflow.run,
                GreeterInput(),
                id=named(ANN, "greeter"),
                task_queue=named(ANN, "signals"),
            )
            await greeter.signal(GreeterWorkflow.exit)
            await greeter.result()
            for learner, workflow_id in ((ANN, "rule-breaker-threads"), (DAN, "my-shipping")):
                await client.start_workflow(
                    broken.run, id=named(learner, workflow_id), task_queue=named(learner, "determinism")
                )
                running.append(named(learner, workflow_id))
            yield LEARNERS
        finally:
            for workflow_id in running:
                await client.get_workflow_handle(workflow_id).terminate("test over")
            await asyncio.gather(*(w.shutdown() for w in workers))
            await asyncio.gather(*tasks, return_exceptions=True)


async def settled_status(client: Client, expected_runs: int) -> ClassStatus:
    """Visibility is eventually consistent, and a failing task is retried after a moment: read
    until every scripted run is listed and dan's broken workflow is on its second attempt."""
    deadline = time.monotonic() + 60
    while True:
        status = await class_status(client, learners=[*LEARNERS, SMOKE_LEARNER])
        settled = len(status.rows) >= expected_runs and DAN in status.failing
        if settled or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.2)


async def test_per_learner_status_of_a_scripted_class(client: Client, scripted_class) -> None:
    status = await settled_status(client, expected_runs=14)

    assert status.learners == sorted(LEARNERS)  # the smoke test is not a learner ...
    assert named(SMOKE_LEARNER, TAG) in [r.workflow_id for r in status.smoke_runs]  # ... but counted apart
    assert f"smoke test: {len(status.smoke_runs)} runs (not counted as a learner)" in status.summary()
    assert len(status.rows) == 14

    # Finished lesson 06, with the playground the notebook leaves open: completed, not running.
    ann06 = status.progress[ANN]["06"]
    assert (ann06.completed, ann06.open_for_play, ann06.running) == (1, 1, 0)
    assert status.state(ANN, "06") == "completed"
    assert ann06.counts_text() == "✔1 ◇1" and ann06.counts_words() == "1 completed, 1 open for play"
    # Still in the greeter: running, exactly like a stuck learner would be.
    assert status.state(DAN, "06") == "running"
    assert status.learners_by_state("06") == {
        "failing": 0, "running": 1, "completed": 1, "failed": 0, "stopped": 0,
    }  # fmt: skip

    # A workflow task failing right now flags its learner, with the error ...
    assert status.state(DAN, "05") == "failing"
    [failing] = status.failing[DAN]
    assert failing.name == "my-shipping" and failing.task_attempt >= 2
    assert "a bug in the learner's workflow code" in failing.task_failure
    # ... but not the rule breaker that lesson 05 stops on purpose: ann is mid-lesson, not in trouble.
    assert ANN not in status.failing
    rule_breaker = next(r for r in status.rows if r.workflow_id == named(ANN, "rule-breaker-threads"))
    assert rule_breaker.task_failing and rule_breaker.on_purpose and not rule_breaker.trouble
    assert status.state(ANN, "05") == "running"
    assert list(status.failing) == [DAN]
    assert f"workflow task failing now: {DAN} (05)" in status.summary()

    # A real failure is trouble; the typo run the lesson terminates and a failed first exercise
    # attempt are counted apart and do not hide the greeting and the check that completed after them.
    assert status.state(BEN, "02") == "failed"
    assert status.progress[BEN]["02"].failed == 1
    cat = status.progress[CAT]["01"]
    assert (cat.completed, cat.failed_on_purpose, cat.failed, cat.stopped, cat.running) == (2, 2, 0, 0, 0)
    assert status.state(CAT, "01") == "completed"
    assert status.state(CAT, OTHER) == "running"
    assert status.state(ANN, "01") == "completed" and status.progress[ANN]["01"].completed == 2
    assert status.state(DAN, "01") is None
    assert status.lessons_run(ANN) == ["01", "05", "06"]
    assert status.lessons_run(BEN) == ["01", "02"]
    assert status.lessons_run(CAT) == ["01", OTHER]
    assert status.lessons_run(DAN) == ["05", "06"]
    assert status.learners_by_state("01") == {
        "failing": 0, "running": 0, "completed": 3, "failed": 0, "stopped": 0,
    }  # fmt: skip
    assert status.outcome_count("open for play") == 1 and status.outcome_count("failed on purpose") == 2
    assert status.unscoped == []

    # The table and the chart name every learner and are well-formed markup; the flagged learner
    # is listed above them with the error.
    table, chart = status.table_html(), status.chart_svg()
    ET.fromstring(chart)
    ET.fromstring(table.replace("&nbsp;", " "))
    assert all(learner in table for learner in LEARNERS)
    assert "learners per lesson (of 4)" in chart
    assert BEN in repr(status) and "02:failed" in repr(status) and "05:failing" in repr(status)
    assert named(BEN, "price") in status.learner_html(BEN)
    assert "a bug in the learner&#x27;s workflow code" in status.failing_html()
    assert DAN in status.failing_html() and ANN not in status.failing_html()
    assert "⚠" in status.learner_html(DAN)


async def test_one_learner_only(client: Client, scripted_class) -> None:
    status = await class_status(client, learners=[BEN])
    assert status.learners == [BEN]
    assert {r.workflow_id for r in status.rows} == {named(BEN, "greeting-0"), named(BEN, "price")}
    assert status.summary().startswith("1 learner, 2 workflow runs (")  # not "1 learners"


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


async def test_refresh_against_a_server_that_never_answers_says_so(silent_port: int) -> None:
    """A firewalled or hung server: the refresh gives up after its timeout with one clear line."""
    client = await Client.connect(f"127.0.0.1:{silent_port}", namespace="class", lazy=True)
    view = ClassView(client, timeout_s=2)
    view.button.click()
    deadline = time.monotonic() + 30
    while view.failures < 1 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert view.failures == 1 and view.status is None
    assert view.problem == (
        f"Refresh failed: no answer from the Temporal server at 127.0.0.1:{silent_port} (namespace 'class') "
        "within 2 s. Is it running, and reachable from here?"
    )
    assert view.line.value == f"<span style='color:#cf222e'>{html.escape(view.problem)}</span>"


async def test_refresh_against_a_closed_port_says_so() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = await Client.connect(f"127.0.0.1:{port}", lazy=True)
    view = ClassView(client, timeout_s=3)
    assert await view.refresh() is None
    assert view.problem is not None and view.problem.startswith("Refresh failed")
    assert f"127.0.0.1:{port}" in view.problem
    assert "Fetching" not in view.line.value


def test_every_lesson_entry_names_what_it_leaves_open_or_fails_on_purpose() -> None:
    """The catalog's patterns match the ids the notebooks really use (a renamed id would make the
    instructor view call a playground stuck, or a demonstration trouble)."""
    for lesson in LESSONS:
        notebook = json.loads((NOTEBOOKS / lesson.notebook).read_text())
        source = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
        for pattern in lesson.open_for_play + lesson.fails_on_purpose:
            literal = pattern.split("*")[0]
            assert f'"{literal}' in source, (
                f"{lesson.notebook} has no workflow id starting {literal!r} (catalog entry {lesson.number})"
            )
    by_number = {lesson.number: lesson for lesson in LESSONS}
    assert by_number["06"].left_open("greeter-playground") and not by_number["06"].left_open("greeter")
    assert by_number["08"].left_open("cart-form") and not by_number["08"].left_open("cart-demo")
    assert by_number["05"].failed_on_purpose("rule-breaker-system-time")
    assert by_number["04"].failed_on_purpose("charge-2") and not by_number["04"].failed_on_purpose("batch")
    assert all(lesson.failed_on_purpose("check-1a2b3c4d") for lesson in LESSONS)  # exercise attempts


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
        # The smoke test ran from the notebook, with the kernel's settings, one line per check. (Whether
        # every check passes on this server is test_smoke.py's question.)
        assert "Temporal Notebooks smoke test as learner 'smoke-test'" in text
        assert all(f"{lesson.number} {lesson.title}" in text for lesson in LESSONS if lesson.smoke)
        assert "Smoke test passed:" in text or "checks failed" in text
        # The lesson list's columns line up, lesson 11's long title included.
        lines = text.splitlines()
        starts = set()
        for lesson in LESSONS:
            row = next(line for line in lines if line.startswith(f"{lesson.number:<3}  {lesson.title}  "))
            starts.add(row.index(lesson.task_queues[0], len(lesson.number) + len(lesson.title)))
        assert len(starts) == 1, starts


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
    assert DAN in view.output.value.split("<svg")[0]  # flagged above the chart

    view.auto.value = True
    while view.refreshes < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert view.refreshes >= 3
    view.auto.value = False
    await asyncio.sleep(0.5)
    settled = view.refreshes
    await asyncio.sleep(0.5)
    assert view.refreshes == settled  # switched off: no more refreshes
