"""Hints that fit the situation (issue 9 §4): each expected situation gets its own accurate line.

Against the real dev server, with the notebooks' own watched client and in-kernel worker helper,
so the lines are exactly those a learner reads under a cell."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.activities.parameters import price_item
from temporal_notebooks.runtime.connection import connect_when_ready, notebook_runtime
from temporal_notebooks.runtime.errors import (
    ShownError,
    WorkflowTaskFailedError,
    attempt,
    exercise_check,
    explain,
    problems_html,
)
from temporal_notebooks.runtime.results import WatchResultsInterceptor
from temporal_notebooks.runtime.worker import WorkerProblem, start_worker, stop_worker
from temporal_notebooks.workflows.determinism import RuleBreakerWorkflow
from temporal_notebooks.workflows.dynamic import PlainMessageBoxWorkflow
from temporal_notebooks.workflows.greeting import FormalGreetingWorkflow, GreetingWorkflow
from temporal_notebooks.workflows.parameters import PriceWorkflow

REPLACE = WorkflowIDConflictPolicy.TERMINATE_EXISTING
SDK_NAMES = ("__stack_trace", "__enhanced_stack_trace", "__temporal_workflow_metadata")


@pytest_asyncio.fixture(scope="module")
async def watched(run_server) -> Client:
    """A client like the notebooks' own: its handles stop waiting on a failed workflow task."""
    return await connect_when_ready(
        {
            "target_host": run_server.address,
            "runtime": notebook_runtime(),
            "interceptors": [WatchResultsInterceptor()],
        },
        local=True,
    )


@pytest_asyncio.fixture(scope="module")
async def queue(watched: Client) -> AsyncIterator[str]:
    name = f"tester.hints-{uuid.uuid4().hex[:6]}"
    await start_worker(
        watched,
        name,
        workflows=[GreetingWorkflow, FormalGreetingWorkflow, PriceWorkflow, RuleBreakerWorkflow,
                   PlainMessageBoxWorkflow],
        activities=[compose_greeting, price_item],
        show_status=False,
    )  # fmt: skip
    yield name
    await stop_worker(name)


async def stuck_line(watched: Client, queue: str, workflow: str, *args: object) -> WorkflowTaskFailedError:
    handle = await watched.start_workflow(
        workflow, args=list(args), id=f"tester.hint-{uuid.uuid4().hex[:8]}", task_queue=queue,
        id_conflict_policy=REPLACE,
    )  # fmt: skip
    try:
        with pytest.raises(WorkflowTaskFailedError) as caught:
            await asyncio.wait_for(handle.result(), 30)
        return caught.value
    finally:
        await handle.terminate("test done")


async def test_a_type_name_typo_on_the_client_says_to_check_the_name(watched: Client, queue: str) -> None:
    error = await stuck_line(watched, queue, "GreetingWorkflw", "Ada")
    assert str(error) == (
        "No worker on this task queue knows the workflow type 'GreetingWorkflw' (it has: FormalGreeting, "
        "GreetingWorkflow, PlainMessageBoxWorkflow, PriceWorkflow, RuleBreakerWorkflow), so run "
        f"'{error.workflow_id}' cannot start. Check the type name where the workflow is started (a typo?) "
        "or register the workflow on the worker; the run waits on the server until a worker knows the "
        "type: terminate it if it was a mistake."
    )


async def test_an_old_callers_arguments_say_what_does_not_fit(watched: Client, queue: str) -> None:
    error = await stuck_line(watched, queue, "PriceWorkflow", "tea", 2)
    assert str(error) == (
        f"Run '{error.workflow_id}' was started with arguments that do not fit its run method: "
        "PriceWorkflow.run() is missing 'customer'. A caller written for another version of the workflow? "
        "Start it with the arguments the run method takes, or give new parameters a default value "
        "(then re-run the worker cell and this run continues)."
    )


async def test_a_sandbox_refusal_says_what_to_use_instead(watched: Client, queue: str) -> None:
    error = await stuck_line(watched, queue, "RuleBreakerWorkflow", "system time")
    line = str(error)
    assert line.startswith(
        f"The workflow task of '{error.workflow_id}' failed: Cannot access datetime.datetime.now from "
        "inside a workflow (determinism.py line "
    )
    assert line.endswith(
        "Workflow code must be deterministic: use workflow.now() for the time. Then fix the workflow "
        "code, re-run the worker cell, and the same workflow continues from where it stopped."
    )
    assert "pass through" not in line and "__call__" not in line


async def test_inside_an_exercise_check_the_advice_names_the_exercise_cell(
    watched: Client, queue: str
) -> None:
    with exercise_check():
        error = await stuck_line(watched, queue, "RuleBreakerWorkflow", "randomness")
    line = str(error)
    assert line.endswith(
        "use workflow.random() for random numbers. Then edit the exercise cell, run it, then run the "
        "check again."
    )
    assert "worker cell" not in line
    # Outside the block the lesson's advice is back.
    again = await stuck_line(watched, queue, "RuleBreakerWorkflow", "randomness")
    assert "re-run the worker cell" in str(again)


async def test_describing_a_workflow_that_never_started_says_so(watched: Client) -> None:
    workflow_id = f"tester.never-started-{uuid.uuid4().hex[:6]}"
    with pytest.raises(RPCError) as caught:
        await watched.get_workflow_handle(workflow_id).describe()
    assert explain(caught.value) == (
        f"No such workflow on the server (workflow not found for ID: {workflow_id}): nothing was started "
        "under that id (or it was deleted after its retention period). Check the id, or start the "
        "workflow first."
    )


async def test_signalling_a_closed_workflow_says_it_closed(watched: Client, queue: str) -> None:
    handle = await watched.start_workflow(
        PlainMessageBoxWorkflow.run, id=f"tester.closed-{uuid.uuid4().hex[:6]}", task_queue=queue
    )
    await handle.signal(PlainMessageBoxWorkflow.close)
    await handle.result()
    with pytest.raises(RPCError) as caught:
        await handle.signal(PlainMessageBoxWorkflow.note, "late")
    line = explain(caught.value)
    assert line.startswith("That workflow has already closed (") and line.endswith(
        "A closed workflow takes no signals or updates: start a new run, then send it again."
    )


async def test_a_query_name_typo_lists_only_the_workflows_own_queries(watched: Client, queue: str) -> None:
    handle = await watched.start_workflow(
        PlainMessageBoxWorkflow.run, id=f"tester.query-typo-{uuid.uuid4().hex[:6]}", task_queue=queue
    )
    try:
        with pytest.raises(WorkflowQueryFailedError) as caught:
            await handle.query("recieved")
        line = explain(caught.value)
        assert line == (
            "The workflow has no query named 'recieved' (its queries: [received]). Names must match exactly: "
            "check the spelling, and use the name given in @workflow.query(name=...) if there is one."
        )
        assert not any(name in line for name in SDK_NAMES) and "change state" not in line

        with pytest.raises(WorkflowUpdateFailedError) as caught_update:
            await handle.execute_update("set_colour", "teal")
        assert explain(caught_update.value) == (
            "The workflow has no update named 'set_colour' (its updates: none), so the update was rejected. "
            "Check the spelling, and use the name given in @workflow.update(name=...) if there is one."
        )
    finally:
        await handle.terminate("test done")


async def test_a_demo_error_shown_by_attempt_does_not_turn_the_worker_line_red(
    watched: Client, queue: str
) -> None:
    handle = await watched.start_workflow(
        "GreetingWorkflw", "Ada", id=f"tester.demo-{uuid.uuid4().hex[:6]}", task_queue=queue
    )
    shown = await attempt(asyncio.wait_for(handle.result(), 30))
    await handle.terminate("demo done")
    assert isinstance(shown, ShownError)
    # What the worker's log handler records for that failed task:
    problem = WorkerProblem(
        0.0, f"Failed handling activation on workflow with run ID x: {shown.exception.cause_message}", ""
    )
    unrelated = WorkerProblem(0.0, "Failed handling activation: something else broke", "")
    assert problems_html([problem]) == (
        "<span style='color:#6e7781'>problems: 1 shown in cells above, as the lesson meant</span>"
    )
    assert problems_html([problem, unrelated]).startswith(
        "<span style='color:#cf222e'>problems: 1, last: Failed handling activation: something else broke"
    )


def test_an_exercise_checks_argument_mismatch_points_at_the_exercise_cell() -> None:
    message = "ParcelQuoteWorkflow.run() missing 1 required positional argument: 'parcel'"
    with exercise_check():
        line = str(WorkflowTaskFailedError(message, "tester.check-1"))
    assert line == (
        "Run 'tester.check-1' was started with arguments that do not fit its run method: "
        "ParcelQuoteWorkflow.run() is missing 'parcel'. The check calls it as the exercise describes: make "
        "the run method take those arguments; then edit the exercise cell, run it, then run the check again."
    )
