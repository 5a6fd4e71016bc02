"""The lesson widgets against the real dev server: callbacks run exactly as a click runs them
(``panel.click(...)``, or the page's own message handed to the widget), and the workflow's state is
checked afterwards from outside the widget."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
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
        panel.click("Greet", "Ada")
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


async def test_a_state_the_watcher_brings_first_comes_with_the_sent_line(
    client: Client, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a loaded machine the watcher's query can show the click's state before the click's own
    read-back answers (a full run here saw lesson 06 print the state with the status line of before the
    click). The read-back is held back here, so the watcher always comes first."""
    import temporal_notebooks.widgets.panels as panels

    monkeypatch.setattr(panels, "SENT_LINE_AFTER_S", 60.0)  # no early line: only the state brings it
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    read_back = panel._read_back

    async def slow_read_back() -> None:
        await asyncio.sleep(3)
        await read_back()

    panel._read_back = slow_read_back
    try:
        await panel.wait_for(lambda s: s is not None)
        panel.click("Greet", "Ada")
        lines_with_states = []  # the status line at each state shown, until the greeting shows
        while not panel.state.greetings:
            panel._changed.clear()
            await asyncio.wait_for(panel._changed.wait(), 10)
            lines_with_states.append((panel.state.pending, panel.status_text))
        assert panel.state.greetings == ["Hello, Ada!"]
        # Every state shown after the click (the name waiting, then greeted) came with the click's line.
        assert all(line.startswith("✓ sent submit_greeting('Ada')") for _, line in lines_with_states), (
            lines_with_states
        )
        assert panel.controls.busy, "the read-back should still be on its way"
        # wait_for also waits for the click's own answer: what a cell prints after it is settled.
        await panel.wait_for(lambda s: "Hello, Ada!" in s.greetings)
        assert not panel.controls.busy
    finally:
        panel.stop()
        await handle.terminate()


async def test_fixed_argument_and_no_argument_buttons_then_a_click_on_the_closed_workflow(
    client: Client, worker: Worker
) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    panel.click("Say Hi")
    await panel.settle()
    panel.click("Greet", "Bo")
    assert (await panel.wait_for(lambda s: "Hi, Bo!" in s.greetings)).salutation == "Hi"
    panel.click("Exit")
    assert await handle.result() == ["Hi, Bo!"]
    await panel.wait_for(lambda s: s.exiting)
    await panel.settle()
    assert panel.last_error is None  # the read-back of "exit" found the run closed: not an error
    assert await panel.wait_closed() == "completed" and not panel.watching
    assert "workflow completed" in panel.state_view.value
    # The buttons are disabled in the page, the reason beside them; a click by code is refused too.
    assert panel.controls.closed == "The workflow is closed (completed): it takes no more signals."
    panel.click("Greet", "late")  # must not raise: the refusal goes to the panel
    await panel.settle()
    assert panel.status_text == "Not sent: The workflow is closed (completed): it takes no more signals."
    assert "tn-status-error" in panel.status.value
    assert await signal_names(handle) == ["change salutation", "submit_greeting", "exit"]


async def test_quick_clicks_send_in_click_order_with_the_text_of_their_moment(
    client: Client, worker: Worker
) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    try:
        for name in ("a", "b", "c", "d"):
            panel.click("Greet", name)
        panel.click("Say Hi")
        panel.click("Greet", "e")
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
            panel.click("Greet", f"p{i}")
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
        panel.click("Greet", "   ")
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
            panel.click("Greet", name)
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
    (greet,) = panel.controls.actions
    assert {"tn-signal-button", "tn-signal-greet"} <= set(greet["classes"])
    assert panel.controls.input_classes == ["tn-signal-text"]
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


def page_click(panel: SignalPanel, label: str, text: str, click_id: str) -> None:
    """The custom message the page's bar sends on a click or Enter, handed to the kernel's handler as
    the widget comm hands it over."""
    message = {"event": "action", "action": label, "text": text, "id": click_id, "sent_at": 0.0}
    panel.controls._on_message(panel.controls, message, [])


async def test_a_page_click_acts_on_the_text_it_carries_not_on_the_synced_value(
    client: Client, worker: Worker
) -> None:
    """The race of issue 9: the box's synced value still holds the previous text when the click
    arrives. The click's own text wins and the page hears "done" for its click. The clicking view
    disabled its own buttons: the kernel sends no "busy" for it (one message and one repaint less);
    a click made by code sets busy, which disables every view."""
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    replies: list[dict] = []
    panel.controls.send = replies.append  # what the kernel sends back to the page
    try:
        panel.controls.value = "durian"  # the stale value the old widget would have read
        busy_sent: list[bool] = []
        panel.controls.observe(lambda change: busy_sent.append(change["new"]), names="busy")
        page_click(panel, "Greet", "bread", "view1-1")
        assert not panel.controls.busy
        await panel.settle()
        assert busy_sent == []
        assert (await panel.wait_for(lambda s: s.greetings)).greetings == ["Hello, bread!"]
        assert [r["id"] for r in replies] == ["view1-1"] and replies[0]["event"] == "done"
        assert replies[0]["received_at"] <= replies[0]["started_at"] <= replies[0]["finished_at"]
        long_name = "x" * 3000  # a long name is sent, not taken for an empty box
        page_click(panel, "Greet", long_name, "view1-2")
        state = await panel.wait_for(lambda s: len(s.greetings) == 2)
        assert state.greetings[-1] == f"Hello, {long_name}!"
        panel.click("Greet", "code")  # a click by code: every view shows the buttons disabled
        assert panel.controls.busy
        await panel.settle()
        assert busy_sent == [True, False]
    finally:
        panel.stop()
        await handle.terminate()


async def test_a_page_click_costs_one_signal_one_update_and_no_query(client: Client, worker: Worker) -> None:
    """Issue 19 §4: the read-back update's answer is what the click shows, so the history watcher sends
    no query for the workflow task that completed it (before, about every other click sent one, which the
    kernel's own worker answered), and the click sends nothing else but the watcher's long-polls: at
    most one per batch of new events."""
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    rpcs: Counter[str] = Counter()
    service = client.service_client
    original = service._rpc_call

    async def counting(rpc: str, *args, **kwargs):
        rpcs[rpc] += 1
        return await original(rpc, *args, **kwargs)

    service._rpc_call = counting
    try:
        await panel.wait_for(lambda s: s is not None)
        await asyncio.sleep(0.5)  # the watcher's first query is answered, its long-poll waits
        events_before = len([e async for e in handle.fetch_history_events()])
        rpcs.clear()
        for i in range(6):
            page_click(panel, "Greet", f"q{i}", f"view3-{i}")
            await panel.wait_for(lambda s, i=i: f"Hello, q{i}!" in s.greetings)
            await panel.settle()
            await asyncio.sleep(0.3)  # the watcher reads the events the click wrote
        counted = dict(rpcs)
        new_events = len([e async for e in handle.fetch_history_events()]) - events_before
        assert counted.get("query_workflow", 0) == 0, counted
        assert counted["signal_workflow_execution"] == 6 and counted["update_workflow_execution"] == 6
        assert counted["get_workflow_execution_history"] <= new_events, (counted, new_events)
        assert set(counted) <= {
            "signal_workflow_execution",
            "update_workflow_execution",
            "poll_workflow_execution_update",  # an update the server answers after its own wait
            "get_workflow_execution_history",
        }, counted
        assert panel.status_text.startswith("✓ sent submit_greeting('q5')")
    finally:
        service._rpc_call = original
        panel.stop()
        await handle.terminate()


async def test_a_click_for_no_such_button_is_refused(client: Client, worker: Worker) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    try:
        with pytest.raises(ValueError, match="no button 'Greeet'"):
            panel.click("Greeet", "Ada")
    finally:
        panel.stop()
        await handle.terminate()


async def test_the_text_of_a_page_click_is_kept_without_being_sent_back(
    client: Client, worker: Worker
) -> None:
    handle = await start_greeter(client)
    panel = greeter_panel(handle)
    sent: list[dict] = []
    original_send = panel.controls._send

    def record(msg, buffers=None):
        sent.append(msg)
        return original_send(msg, buffers)

    panel.controls._send = record
    try:
        page_click(panel, "Greet", "Mia", "view2-1")
        assert panel.text == "Mia"  # code reading the box sees what the page sent
        await panel.settle()
        updates = [m for m in sent if m.get("method") in ("update", "echo_update")]
        assert all("value" not in m["state"] for m in updates)  # no echo of the text to the page
    finally:
        panel.stop()
        await handle.terminate()


async def test_history_picture_keeps_whole_labels_and_one_line_times(client: Client, worker: Worker) -> None:
    """Screenshots showed "activity compose_greetin" and times wrapped as "1637 / ms"."""
    from temporal_notebooks.widgets.history import fetch_history

    handle = await start_greeter(client)
    await handle.signal(GreeterWorkflow.submit_greeting, "Ada")
    await handle.signal(GreeterWorkflow.exit)
    await handle.result()
    history = await fetch_history(handle)
    svg = history.timeline_svg()
    assert ">activity format_greeting</text>" in svg
    left = min(int(part.split("'")[0]) for part in svg.split("data-max-x='")[1:])
    assert left >= len("activity format_greeting") * 11 * 0.6  # room for the label at 11 px
    table = history.table_html()
    assert table.count("white-space:nowrap") == len(history.events)
    assert history._repr_html_().startswith("<div class='tn-history'>")


async def test_closed_badges_have_no_stray_separator_and_a_normal_end_is_not_a_warning(
    client: Client, worker: Worker
) -> None:
    handle = await client.start_workflow(
        PackingWorkflow.run,
        Order(["a"], 0.1),
        id=f"widget-packing-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    view = query_view(handle, PackingWorkflow.progress, every_s=0.1)
    assert await view.wait_closed(timeout_s=20) == "completed"
    assert "·" not in plain_text(view.view.value)
    assert "tn-status-ok" in view.status.value  # green, not the warning colour
