"""The lesson widgets against the real dev server: callbacks run exactly as a click runs them
(``button.click()``), and the workflow's state is checked afterwards from outside the widget."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from temporal_notebooks.activities.queries import Order, PackingProgress, pack_item
from temporal_notebooks.activities.signals import GreeterInput, GreeterState, format_greeting
from temporal_notebooks.widgets.panels import (
    QueryView,
    SignalButton,
    SignalPanel,
    plain_text,
    query_view,
    render_state,
    signal_panel,
)
from temporal_notebooks.workflows.queries import PackingWorkflow
from temporal_notebooks.workflows.signals import GreeterWorkflow

TASK_QUEUE = f"test-widgets-{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[GreeterWorkflow, PackingWorkflow],
        activities=[format_greeting, pack_item],
    ) as running:
        yield running


async def start_greeter(client: Client) -> WorkflowHandle:
    return await client.start_workflow(
        GreeterWorkflow.run,
        GreeterInput(),
        id=f"widget-greeter-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )


def greeter_panel(handle: WorkflowHandle, **options) -> SignalPanel:
    return signal_panel(
        handle,
        GreeterWorkflow.state,
        [
            SignalButton("Greet", GreeterWorkflow.submit_greeting, takes_text=True),
            SignalButton("Say Hi", GreeterWorkflow.set_salutation, arg="Hi"),
            SignalButton("Exit", GreeterWorkflow.exit),
        ],
        read_back=GreeterWorkflow.settled_state,
        **options,
    )


async def signal_names(handle: WorkflowHandle) -> list[str]:
    return [
        e.workflow_execution_signaled_event_attributes.signal_name
        async for e in handle.fetch_history_events()
        if e.HasField("workflow_execution_signaled_event_attributes")
    ]


async def test_greet_click_signals_and_the_view_shows_the_new_state(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    try:
        await panel.wait_for(lambda s: s is not None)
        panel.text.value = "Ada"
        panel.buttons["Greet"].click()
        state = await panel.wait_for(lambda s: "Hello, Ada!" in s.greetings)
        assert state.greetings == ["Hello, Ada!"]
        assert "Hello, Ada!" in panel.state_view.value
        assert panel.status_text.startswith("✓ sent submit_greeting('Ada')")
        # The workflow itself, asked from outside the panel:
        assert (await handle.query(GreeterWorkflow.state)).greetings == ["Hello, Ada!"]
        assert await signal_names(handle) == ["submit_greeting"]
    finally:
        panel.stop()
        await handle.terminate()


async def test_fixed_argument_and_no_argument_buttons_then_a_click_on_the_closed_workflow(
    client: Client, worker: Worker
) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    panel.buttons["Say Hi"].click()
    await panel.settle()
    panel.text.value = "Bo"
    panel.buttons["Greet"].click()
    assert (await panel.wait_for(lambda s: "Hi, Bo!" in s.greetings)).salutation == "Hi"
    panel.buttons["Exit"].click()
    assert await handle.result() == ["Hi, Bo!"]
    await panel.wait_for(lambda s: s.exiting)
    await panel.settle()
    assert panel.last_error is None  # the read-back of "exit" found the run closed: not an error
    for _ in range(100):  # the watcher sees the close event a moment after the result
        if panel.closed:
            break
        await asyncio.sleep(0.05)
    assert panel.closed == "completed" and not panel.watching
    assert "workflow completed" in panel.state_view.value
    panel.text.value = "late"
    panel.buttons["Greet"].click()  # must not raise: the error goes to the panel
    await panel.settle()
    assert panel.last_error and "closed" in panel.status_text and "tn-status-error" in panel.status.value
    assert await signal_names(handle) == ["change salutation", "submit_greeting", "exit"]


async def test_quick_clicks_send_in_click_order_with_the_text_of_their_moment(
    client: Client, worker: Worker
) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    try:
        for name in ("a", "b", "c", "d"):
            panel.text.value = name
            panel.buttons["Greet"].click()
        panel.buttons["Say Hi"].click()
        panel.text.value = "e"
        panel.buttons["Greet"].click()
        state = await panel.wait_for(lambda s: len(s.greetings) == 5)
        # Names in click order (a salutation applies to the names greeted after it arrives).
        assert [g.split(", ")[1] for g in state.greetings] == ["a!", "b!", "c!", "d!", "e!"]
        assert state.greetings[-1] == "Hi, e!" and panel.sent == 6
        sent = await signal_names(handle)
        assert sent == ["submit_greeting"] * 4 + ["change salutation", "submit_greeting"]
    finally:
        panel.stop()
        await handle.terminate()


async def test_own_clicks_are_read_back_by_update_with_few_queries(client: Client, worker: Worker) -> None:
    """The default with a read-back update: the answer to the update shows the state; the history
    watcher holds its queries while a read-back is in flight, so a click costs about one query."""
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    queries = 0
    original = panel._query

    async def counting_query():
        nonlocal queries
        queries += 1
        return await original()

    panel._query = counting_query
    try:
        assert panel.refresh == "update" and panel.watching
        await panel.wait_for(lambda s: s is not None)
        await asyncio.sleep(0.2)
        before = queries
        for i in range(5):
            panel.text.value = f"p{i}"
            panel.buttons["Greet"].click()
            await panel.wait_for(lambda s, i=i: f"Hello, p{i}!" in s.greetings)
            await panel.settle()
        await asyncio.sleep(0.3)
        assert queries - before <= 5 * 2  # the naive loop sends dozens
        events = [e async for e in handle.fetch_history_events()]
        accepted = [e for e in events if e.HasField("workflow_execution_update_accepted_event_attributes")]
        assert len(accepted) == 5
    finally:
        panel.stop()
        await handle.terminate()


async def test_empty_text_box_is_reported_and_nothing_is_sent(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    try:
        panel.text.value = "   "
        panel.buttons["Greet"].click()
        await panel.settle()
        assert panel.status_text == "Type something in the box first."
        assert await signal_names(handle) == []
    finally:
        panel.stop()
        await handle.terminate()


async def test_view_follows_signals_sent_by_code_too(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    try:
        await handle.signal(GreeterWorkflow.submit_greeting, "from a cell")
        state = await panel.wait_for(lambda s: "Hello, from a cell!" in s.greetings, timeout_s=10)
        assert "Hello, from a cell!" in state.greetings
    finally:
        panel.stop()
        await handle.terminate()


@pytest.mark.parametrize("refresh", ["poll", "watch"])
async def test_other_refresh_strategies_show_the_same_state(
    client: Client, worker: Worker, refresh: str
) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle, refresh=refresh)
    try:
        for name in ("x", "y"):
            panel.text.value = name
            panel.buttons["Greet"].click()
            await panel.wait_for(lambda s, name=name: f"Hello, {name}!" in s.greetings)
            await panel.settle()
        assert panel.state.greetings == ["Hello, x!", "Hello, y!"]
        assert panel.watching == (refresh == "watch")
    finally:
        panel.stop()
        await handle.terminate()


async def test_a_new_panel_for_the_same_workflow_replaces_the_old_one(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    first = greeter_panel(handle)
    await first.wait_for(lambda s: s is not None)
    second = greeter_panel(handle)  # a re-run cell
    try:
        await asyncio.wait([first._watcher], timeout=5)
        assert not first.watching and second.watching
    finally:
        second.stop()
        await asyncio.wait([second._watcher], timeout=5)
        assert not second.watching  # stop() ends the history long-poll promptly
        await handle.terminate()


def test_stable_css_classes_for_browser_tests() -> None:
    handle = WorkflowHandle.__new__(WorkflowHandle)
    handle._id = "some-workflow"  # only the id is read when building the widgets
    panel = SignalPanel(handle, "state", [SignalButton("Greet", "submit_greeting", takes_text=True)])
    assert "tn-signal-panel" in panel.widget._dom_classes
    assert {"tn-signal-button", "tn-signal-greet"} <= set(panel.buttons["Greet"]._dom_classes)
    assert "tn-signal-text" in panel.text._dom_classes
    assert "tn-state-view" in panel.state_view._dom_classes
    assert "tn-panel-status" in panel.status._dom_classes
    view = QueryView(handle, "progress")
    assert "tn-query-view" in view.view._dom_classes and "tn-query-status" in view.status._dom_classes


async def test_query_view_polls_while_running_and_stops_at_the_close(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run,
        Order(["a", "b", "c"], 0.3),
        id=f"widget-packing-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    view = query_view(handle, PackingWorkflow.progress, every_s=0.1)
    assert await view.wait_closed(timeout_s=20) == "completed"
    assert not view.polling and view.polls >= 3
    assert view.state == PackingProgress(["a (boxed)", "b (boxed)", "c (boxed)"], [], "shipped")
    assert "final (completed)" in view.view.value
    assert f"polling stopped after {view.polls} polls" in view.status_text
    polls = view.polls
    await asyncio.sleep(0.3)
    assert view.polls == polls  # really stopped


async def test_query_view_reports_a_failing_query_and_keeps_trying(client: Client, worker: Worker) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run,
        Order(["slow"], 5.0),
        id=f"widget-packing-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    view = query_view(handle, "no such query", every_s=0.1)
    try:
        for _ in range(100):
            if view.last_error:
                break
            await asyncio.sleep(0.05)
        assert view.polling and view.status_text.startswith(
            "poll failed: The workflow has no query named 'no such query' "
            "(its queries: [is packed progress])."
        )
    finally:
        view.stop()
        await handle.terminate()


def test_render_state_shows_fields_and_escapes_html() -> None:
    markup = render_state(GreeterState("Hi", ["<b>Ada</b>"], [], 1, False))
    assert "<th" in markup and "salutation" in markup and "&lt;b&gt;Ada&lt;/b&gt;" in markup
    assert plain_text(markup).startswith("salutation Hi greetings <b>Ada</b>")
    assert render_state("plain <text>") == "plain &lt;text&gt;"
