"""Lesson 06 workflows on the real dev server: signal handlers, handles, external signals,
Signal-With-Start on both paths, the greeter's updates, and a signal to a closed workflow."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.worker import Worker

from temporal_notebooks.activities.signals import GreeterInput, GreeterState, format_greeting
from temporal_notebooks.runtime import explain
from temporal_notebooks.widgets.history import event_name
from temporal_notebooks.workflows.signals import GreeterWorkflow, GreetingRelayWorkflow

TASK_QUEUE = f"test-signals-{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[GreeterWorkflow, GreetingRelayWorkflow],
        activities=[format_greeting],
    ) as running:
        yield running


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def start_greeter(client: Client, salutation: str = "Hello") -> WorkflowHandle:
    return await client.start_workflow(
        GreeterWorkflow.run, GreeterInput(salutation), id=new_id("greeter"), task_queue=TASK_QUEUE
    )


async def state_when(handle: WorkflowHandle, ready, timeout: float = 10.0) -> GreeterState:
    """Query until ``ready(state)``: signals are asynchronous, their effect comes a moment later."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        state = await handle.query(GreeterWorkflow.state)
        if ready(state) or asyncio.get_running_loop().time() > deadline:
            return state
        await asyncio.sleep(0.02)


async def test_signals_queue_greetings_and_exit_returns_them(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    await handle.signal(GreeterWorkflow.submit_greeting, "Ada")
    await handle.signal(GreeterWorkflow.submit_greeting, "Grace")
    state = await state_when(handle, lambda s: len(s.greetings) == 2)
    assert state.greetings == ["Hello, Ada!", "Hello, Grace!"]
    assert state.pending == [] and state.received == 2 and not state.exiting
    await handle.signal(GreeterWorkflow.exit)
    assert await handle.result() == ["Hello, Ada!", "Hello, Grace!"]


async def test_exit_greets_names_already_queued(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    for name in ("a", "b", "c"):
        await handle.signal(GreeterWorkflow.submit_greeting, name)
    await handle.signal(GreeterWorkflow.exit)
    assert await handle.result() == ["Hello, a!", "Hello, b!", "Hello, c!"]


async def test_custom_signal_name_is_what_senders_use(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    await handle.signal("change salutation", "Hi")  # by its custom name
    await handle.signal(GreeterWorkflow.submit_greeting, "Lin")
    state = await state_when(handle, lambda s: s.greetings)
    assert state.salutation == "Hi" and state.greetings == ["Hi, Lin!"]
    await handle.signal(GreeterWorkflow.set_salutation, "Hey")  # by method: the SDK uses the custom name
    await handle.signal(GreeterWorkflow.submit_greeting, "Max")
    state = await state_when(handle, lambda s: len(s.greetings) == 2)
    assert state.greetings[-1] == "Hey, Max!"
    names = [event.workflow_execution_signaled_event_attributes.signal_name async for event in
             handle.fetch_history_events() if event_name(event) == "WorkflowExecutionSignaled"]  # fmt: skip
    assert names.count("change salutation") == 2 and "set_salutation" not in names
    await handle.terminate()


async def test_handles_from_id_and_typed_id_signal_the_same_run(client: Client, worker: Worker) -> None:
    started = await start_greeter(client)
    by_id = client.get_workflow_handle(started.id)
    typed = client.get_workflow_handle_for(GreeterWorkflow.run, started.id)
    await by_id.signal("submit_greeting", "from get_workflow_handle")
    await typed.signal(GreeterWorkflow.submit_greeting, "from get_workflow_handle_for")
    state = await state_when(started, lambda s: len(s.greetings) == 2)
    assert state.greetings == ["Hello, from get_workflow_handle!", "Hello, from get_workflow_handle_for!"]
    await typed.signal(GreeterWorkflow.exit)
    assert len(await started.result()) == 2


async def test_signal_with_start_starts_when_absent(client: Client, worker: Worker) -> None:
    workflow_id = new_id("sws")
    handle = await client.start_workflow(
        GreeterWorkflow.run,
        GreeterInput("Welcome"),
        id=workflow_id,
        task_queue=TASK_QUEUE,
        start_signal="submit_greeting",
        start_signal_args=["first"],
    )
    state = await state_when(handle, lambda s: s.greetings)
    assert state.greetings == ["Welcome, first!"] and state.received == 1
    events = [event_name(e) async for e in handle.fetch_history_events()]
    assert events[:2] == ["WorkflowExecutionStarted", "WorkflowExecutionSignaled"]
    await handle.terminate()


async def test_signal_with_start_signals_when_running(client: Client, worker: Worker) -> None:
    running = await start_greeter(client)
    again = await client.start_workflow(
        GreeterWorkflow.run,
        GreeterInput("ignored: the run exists"),
        id=running.id,
        task_queue=TASK_QUEUE,
        start_signal="submit_greeting",
        start_signal_args=["second"],
    )
    assert again.result_run_id == running.result_run_id  # no new run: the running one was signalled
    state = await state_when(running, lambda s: s.greetings)
    assert state.greetings == ["Hello, second!"] and state.salutation == "Hello"
    await running.terminate()


async def test_external_signal_between_two_workflows(client: Client, worker: Worker) -> None:
    greeter = await start_greeter(client)
    relay = await client.execute_workflow(
        GreetingRelayWorkflow.run,
        args=[greeter.id, "from a workflow"],
        id=new_id("relay"),
        task_queue=TASK_QUEUE,
    )
    assert relay == f"signalled {greeter.id} with 'from a workflow'"
    state = await state_when(greeter, lambda s: s.greetings)
    assert state.greetings == ["Hello, from a workflow!"]
    relay_id = await _sender_of_first_signal(client, greeter.id)
    sender_events = [event_name(e) async for e in client.get_workflow_handle(relay_id).fetch_history_events()]
    assert "SignalExternalWorkflowExecutionInitiated" in sender_events
    assert "ExternalWorkflowExecutionSignaled" in sender_events
    receiver = [
        e async for e in greeter.fetch_history_events() if event_name(e) == "WorkflowExecutionSignaled"
    ]
    assert len(receiver) == 1
    assert receiver[0].workflow_execution_signaled_event_attributes.external_workflow_execution.workflow_id
    await greeter.terminate()


async def _sender_of_first_signal(client: Client, greeter_id: str) -> str:
    """The id of the relay run that signalled ``greeter_id`` (read from the receiver's history)."""
    async for event in client.get_workflow_handle(greeter_id).fetch_history_events():
        if event_name(event) == "WorkflowExecutionSignaled":
            return event.workflow_execution_signaled_event_attributes.external_workflow_execution.workflow_id
    raise AssertionError("no signal in the greeter's history")


async def test_greet_update_returns_the_greeting_and_validator_rejects_blank(
    client: Client, worker: Worker
) -> None:
    handle = await start_greeter(client, "Good day")
    assert await handle.execute_update(GreeterWorkflow.greet, "Ann") == "Good day, Ann!"
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update(GreeterWorkflow.greet, "  ")
    assert "needs a name" in str(info.value.cause)
    events = [event_name(e) async for e in handle.fetch_history_events()]
    assert events.count("WorkflowExecutionUpdateAccepted") == 1  # the rejected one left no trace
    await handle.terminate()


async def test_settled_state_includes_a_signal_just_sent(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    for i in range(5):
        await handle.signal(GreeterWorkflow.submit_greeting, f"n{i}")
        state = await handle.execute_update(GreeterWorkflow.settled_state)
        assert state.greetings[-1] == f"Hello, n{i}!" and state.pending == []
    await handle.terminate()


async def test_signal_to_a_closed_workflow_is_one_clear_line(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    await handle.signal(GreeterWorkflow.exit)
    await handle.result()
    with pytest.raises(RPCError) as info:
        await handle.signal(GreeterWorkflow.submit_greeting, "too late")
    line = explain(info.value)
    assert line is not None and "closed" in line and "\n" not in line


@pytest.mark.parametrize(
    ("greeter", "expected"),
    [("PlainInitGreeter", "(no salutation yet), Ada!"), ("InitInputGreeter", "Welcome, Ada!")],
)
async def test_workflow_init_gives_the_first_handler_the_input(
    client: Client, greeter: str, expected: str
) -> None:
    """Both __init__ kinds run before a start signal's handler; only @workflow.init sees the input."""
    from temporal_notebooks.workflows import signals

    workflow_class = getattr(signals, greeter)
    queue = f"{TASK_QUEUE}-init"
    async with Worker(client, task_queue=queue, workflows=[workflow_class]):
        handle = await client.start_workflow(
            workflow_class.run,
            GreeterInput("Welcome"),
            id=new_id("init"),
            task_queue=queue,
            start_signal="submit_greeting",
            start_signal_args=["Ada"],
        )
        assert await handle.result() == [expected]
