"""Lesson 09 on the real dev server: every dynamic handler (workflow, activity, signal, query,
update and its validator), static handlers winning over dynamic ones, what a misspelt name does
with and without a dynamic handler, and the exercise's check."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.worker import Worker

from temporal_notebooks.activities.dynamic import compose_greeting, fallback_activity
from temporal_notebooks.runtime.exercises import run_exercise_workflow, solution_module, write_module
from temporal_notebooks.widgets.forms import rejection_message
from temporal_notebooks.workflows.dynamic import (
    AnyNameWorkflow,
    MessageBoxWorkflow,
    PlainMessageBoxWorkflow,
    TextPipelineWorkflow,
)

TASK_QUEUE = f"test-dynamic-{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=TASK_QUEUE,
            workflows=[AnyNameWorkflow, MessageBoxWorkflow, PlainMessageBoxWorkflow, TextPipelineWorkflow],
            activities=[compose_greeting, fallback_activity],
            activity_executor=executor,
        ) as running:
            yield running


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_dynamic_workflow_and_activity_answer_unregistered_names(
    client: Client, worker: Worker
) -> None:
    result = await client.execute_workflow(
        "NoSuchWorkflow", "Ada", id=new_id("dyn"), task_queue=TASK_QUEUE, result_type=str
    )
    assert (
        result == "[NoSuchWorkflow] Hello, Ada! (handled as 'unregistered_greeting' by the dynamic activity)"
    )
    other = await client.execute_workflow("ReportWorkflowV2", id=new_id("dyn"), task_queue=TASK_QUEUE)
    assert other.startswith("[ReportWorkflowV2] Hello, stranger!")


async def test_static_activity_wins_over_the_dynamic_one(client: Client) -> None:
    """A registered name goes to its static activity; only the other names reach the dynamic one."""
    from temporalio import activity

    @activity.defn(name="upper")
    def static_upper(text: str) -> str:
        return text.upper() + " (static)"

    module = write_module("exercise09", solution_module("lesson09")[1])
    result = await run_exercise_workflow(
        client, TextPipelineWorkflow, "ada", ["upper", "lower"], activities=[static_upper, module.text_tool]
    )
    assert result == "ada (static)"  # "upper" ran the static activity, "lower" the dynamic one


async def start_box(client: Client, cls: type = MessageBoxWorkflow) -> WorkflowHandle:
    return await client.start_workflow(cls.run, id=new_id("box"), task_queue=TASK_QUEUE)


async def until(check, timeout: float = 5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.02)


async def test_dynamic_signal_and_query(client: Client, worker: Worker) -> None:
    box = await start_box(client)
    await box.signal("mood", "curious")
    await box.signal("mood", "happy")
    await box.signal("weather", "sunny")
    received = await until(lambda: _received_at_least(box, 3))
    assert received == ["mood: curious", "mood: happy", "weather: sunny"]
    assert await box.query("mood") == "happy"  # dynamic query: last value of that name
    assert await box.query("weather", result_type=str) == "sunny"
    assert await box.query("colour") == "nothing received as 'colour'"
    await box.signal(MessageBoxWorkflow.close)  # static signal: never reaches any_signal
    assert await box.result() == received


async def _received_at_least(box: WorkflowHandle, count: int) -> list[str] | None:
    received = await box.query(MessageBoxWorkflow.received)
    return received if len(received) >= count else None


async def test_dynamic_update_and_its_validator(client: Client, worker: Worker) -> None:
    box = await start_box(client)
    assert await box.execute_update("set_colour", "teal") == "set_colour: unset → teal"
    assert await box.execute_update("set_colour", "navy") == "set_colour: teal → navy"
    assert await box.query("set_colour") == "navy"
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await box.execute_update("delete_everything", "now")
    assert (
        rejection_message(caught.value)
        == "'delete_everything' is not a setting: update names here start with 'set_'"
    )
    with pytest.raises(WorkflowUpdateFailedError) as two:
        await box.execute_update("set_size", args=["a", "b"])
    assert "takes exactly one value, got 2" in rejection_message(two.value)
    history = str([e async for e in box.fetch_history_events()])
    assert "delete_everything" not in history  # rejected by the validator: never written
    await box.signal(MessageBoxWorkflow.close)
    await box.result()


async def test_a_typo_fails_loudly_without_dynamic_handlers(client: Client, worker: Worker) -> None:
    plain = await start_box(client, PlainMessageBoxWorkflow)
    with pytest.raises(WorkflowQueryFailedError) as caught:
        await plain.query("recieved")
    assert "recieved" in str(caught.value) and "received" in str(caught.value)
    with pytest.raises(WorkflowUpdateFailedError) as update:
        await plain.execute_update("set_colour", "teal")
    assert "no dynamic handler" in rejection_message(update.value)
    await plain.signal(PlainMessageBoxWorkflow.close)
    await plain.result()

    box = await start_box(client)
    assert await box.query("recieved") == "nothing received as 'recieved'"  # absorbed, no error
    await box.signal(MessageBoxWorkflow.close)
    await box.result()


# --- the exercise's solution in the lesson's pipeline (its check: tests/exercises) ------------------


async def test_solution_activity_runs_the_pipeline(client: Client) -> None:
    module = write_module("exercise09", solution_module("lesson09")[1])
    result = await run_exercise_workflow(
        client, TextPipelineWorkflow, "hello wORLD", ["lower", "title"], activities=[module.text_tool]
    )
    assert result == "Hello World"
