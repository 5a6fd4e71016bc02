"""Widgets for the message lessons: a signal panel with a live state view, and a polling query view.

Rules every widget here follows (see facts.md):
- ipywidgets callbacks are synchronous, so a click only *schedules* a coroutine on the kernel's loop
  (``asyncio.ensure_future``); the work runs while no cell is busy, or while a cell awaits.
- Background work never prints (JupyterLab would show it under some earlier cell): it sets the
  ``.value`` of ``HTML`` widgets, and a failure becomes a line in the panel's status.
- Every widget has stable CSS classes (``tn-signal-button``, ``tn-state-view``, ``tn-panel-status``, ...)
  so browser tests can find it, and a Python call that does what a click does
  (``panel.click("Greet", "Ada")``), which keeps Restart & Run All meaningful.
- The text box and buttons are one :class:`~.actionbar.ActionBar`: a click (or Enter) carries the text
  of its moment in the same message, and the buttons are disabled while it is pending and once the
  workflow has closed.

How the signal panel sees a new state quickly without loading the server. A signal returns before
the workflow has acted on it, and a query sent while a workflow task is in flight waits for it, so a
loop of back-to-back queries after a click sees the result late and keeps the server busy. Instead:
- after its own click, the panel runs the workflow's *read-back update* (``read_back=``, e.g. the
  greeter's ``settled_state``): the server answers it the moment the workflow task that handled the
  signal completes, with the state in the answer: no polling, no extra query hop;
- for everything else (signals from cells or other workflows, the close) it long-polls the run's
  event history (``wait_new_event``: one idle request that the server answers when something
  happens) and sends one query after each ``WorkflowTaskCompleted``, except the one that completed
  the panel's own read-back (its answer is that state already): a click costs no query.
``benchmarks/signal_latency.py`` measures these against each other and against the naive loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistoryEventFilterType, WorkflowQueryRejectedError
from temporalio.common import QueryRejectCondition

from ..runtime.errors import explain
from .actionbar import Action, ActionBar

SENT_LINE_AFTER_S = 0.2  # a read-back slower than this: show "sent" first, then the state
REFRESH_STRATEGIES = ("auto", "update", "watch", "poll")
CLOSED_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "completed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "cancelled",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed out",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued as new",
}
_NO_ARG = object()
_panels: dict[str, SignalPanel] = {}
_views: dict[str, QueryView] = {}


def error_line(exc: BaseException) -> str:
    """The one line a widget shows for a failure."""
    return explain(exc) or f"{type(exc).__name__}: {exc}"


async def until_closed(handle: WorkflowHandle) -> str:
    """Wait (one idle long-poll at a time) until the run closes; how it ended ("completed", ...)."""
    while True:
        async for event in handle.fetch_history_events(
            wait_new_event=True, event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT
        ):
            ended = CLOSED_EVENTS.get(event.event_type)
            if ended == "continued as new" and handle.run_id is None:
                break  # the handle follows the workflow id: wait for the new run's end
            if ended:
                return ended


# --- showing a state --------------------------------------------------------------------------


# Long names wrap inside the panel instead of running out of it.
_WRAP = "overflow-wrap:anywhere;max-width:100%"
# A field's label keeps its line: only the values wrap (an "anywhere" on the whole table let a long value
# squeeze the labels to one letter per line).
_LABEL = "text-align:left;vertical-align:top;padding-right:1em;white-space:nowrap;width:1%"


def _value_html(value: Any) -> str:
    if isinstance(value, list | tuple):
        if not value:
            return "<i>none</i>"
        return "<ol style='margin:0'>" + "".join(f"<li>{_value_html(v)}</li>" for v in value) + "</ol>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


def render_state(state: Any) -> str:
    """A query result as HTML: a dataclass or dict as a field table, anything else as text."""
    if dataclasses.is_dataclass(state) and not isinstance(state, type):
        state = dataclasses.asdict(state)
    if isinstance(state, dict):
        rows = "".join(
            f"<tr><th class='tn-nowrap' style='{_LABEL}'>{html.escape(str(k))}</th>"
            f"<td style='text-align:left;{_WRAP}'>{_value_html(v)}</td></tr>"
            for k, v in state.items()
        )
        return f"<table style='max-width:100%'>{rows}</table>"
    return _value_html(state)


def _status_html(text: str, kind: str = "info") -> str:
    colour = {"ok": "#1a7f37", "error": "#cf222e", "info": "#57606a", "closed": "#9a6700"}[kind]
    return f"<span class='tn-status-{kind}' style='color:{colour};{_WRAP}'>{html.escape(text)}</span>"


def plain_text(markup: str) -> str:
    """What a widget's HTML says, without the tags (for cells and tests that read it)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "button"


def _handler_name(handler: str | Callable) -> str:
    """The name a signal/query/update goes by (its custom ``name=`` if it has one)."""
    if isinstance(handler, str):
        return handler
    for attribute in ("__temporal_signal_definition", "__temporal_query_definition", "_defn"):
        definition = getattr(handler, attribute, None)
        if definition is not None and getattr(definition, "name", None):
            return definition.name
    return getattr(handler, "__name__", str(handler))


@dataclasses.dataclass
class SignalButton:
    """One button of a :class:`SignalPanel`: which signal it sends, with which argument.

    ``takes_text=True`` sends the panel's text box content; ``arg`` sends a fixed value; neither
    sends the signal with no argument.
    """

    label: str
    signal: str | Callable
    arg: Any = _NO_ARG
    takes_text: bool = False

    def args(self, text: str) -> list[Any]:
        if self.takes_text:
            return [text]
        return [] if self.arg is _NO_ARG else [self.arg]


# --- the signal panel -----------------------------------------------------------------------------


class SignalPanel:
    """Buttons and a text box that signal a running workflow, and a live view of its state.

    ``refresh`` chooses how the view learns about a new state. ``"update"`` runs the ``read_back``
    update after each of its own signals (it returns once the workflow has handled them) and
    watches the history for other changes; ``"watch"`` only watches: it long-polls the event
    history and queries after each completed workflow task; ``"poll"`` queries back to back after a
    click until the state settles (the naive way, kept for the benchmark). ``"auto"`` (default) is
    ``"update"`` when a ``read_back`` update is given, else ``"watch"``.
    """

    def __init__(
        self,
        handle: WorkflowHandle,
        query: str | Callable,
        buttons: Sequence[SignalButton],
        *,
        title: str | None = None,
        text_label: str = "Name:",
        placeholder: str = "type a name",
        render: Callable[[Any], str] = render_state,
        refresh: str = "auto",
        read_back: str | Callable | None = None,
    ) -> None:
        import ipywidgets

        if refresh not in REFRESH_STRATEGIES:
            raise ValueError(f"refresh must be one of {REFRESH_STRATEGIES}, not {refresh!r}")
        if refresh == "update" and read_back is None:
            raise ValueError("refresh='update' needs read_back=<the update that returns the state>")
        if refresh == "auto":
            refresh = "update" if read_back is not None else "watch"
        self.handle = handle
        self.query = query
        self.render = render
        self.refresh = refresh
        self.read_back = read_back
        self.state: Any = None
        self.state_version = 0  # +1 each time the view shows a new state
        self.state_shown_at = 0.0  # time.perf_counter() of the last new state shown
        self.closed: str | None = None  # how the run ended, once it has
        self._shown_closed: str | None = None
        self.last_error: str | None = None
        self._sent_line_waiting: str | None = None  # "✓ sent …", shown with the next state
        self.sent = 0  # signals sent, and what reading the state back cost the server:
        self.queries_sent = 0
        self.read_backs_sent = 0
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Future] = set()
        self._watcher: asyncio.Task | None = None
        self._query_running = False
        self._query_again = False
        self._send_lock = asyncio.Lock()  # signals leave in click order, even for quick clicks
        self._reading_back = 0  # read-back updates in flight: their answer makes a query redundant
        self._read_back_ids: dict[str, None] = {}  # this panel's read-backs, completion not yet seen
        self._refresh_due = False  # a completed workflow task asks for a query, unless a read-back answers

        self._specs = {spec.label: spec for spec in buttons}
        first_text_button = next((spec.label for spec in buttons if spec.takes_text), None)
        # Text box and buttons in one widget: a click carries the text of its moment (actionbar.py).
        self.controls = ActionBar(
            [
                Action(
                    spec.label,
                    classes=["tn-signal-button", f"tn-signal-{_slug(spec.label)}"],
                    primary=spec.takes_text,
                    on_enter=spec.label == first_text_button,
                    tooltip=f"signal {_handler_name(spec.signal)}",
                )
                for spec in buttons
            ],
            self._on_action,
            label=text_label if first_text_button else "",
            placeholder=placeholder,
            show_text=first_text_button is not None,
            input_classes=["tn-signal-text"],
        )
        self.state_view = ipywidgets.HTML("<i>waiting for the first query…</i>")
        self.state_view.add_class("tn-state-view")
        self.status = ipywidgets.HTML(_status_html("ready"))
        self.status.add_class("tn-panel-status")
        heading = ipywidgets.HTML(
            f"<b>{html.escape(title or 'Workflow')}</b> <code>{html.escape(handle.id)}</code>"
        )
        self.widget = ipywidgets.VBox([heading, self.controls, self.state_view, self.status])
        self.widget.add_class("tn-signal-panel")

    # -- life cycle

    def start(self) -> SignalPanel:
        """Show the current state and (unless ``refresh="poll"``) start following the run."""
        old = _panels.get(self.handle.id)
        if old is not None and old is not self:
            old.stop()  # a re-run cell replaces its panel: one watcher per workflow, never two
        _panels[self.handle.id] = self
        if self.refresh != "poll":
            self._watcher = asyncio.ensure_future(self._watch())
        else:
            self._spawn(self._refresh_once())
        return self

    def stop(self) -> None:
        """Stop following the run (the widgets stay on the page)."""
        if self._watcher is not None:
            self._watcher.cancel()
        for task in list(self._tasks):
            task.cancel()
        if _panels.get(self.handle.id) is self:
            del _panels[self.handle.id]

    @property
    def status_text(self) -> str:
        """The status line as plain text."""
        return plain_text(self.status.value)

    @property
    def watching(self) -> bool:
        return self._watcher is not None and not self._watcher.done()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # -- clicks

    @property
    def text(self) -> str:
        """What is in the text box now."""
        return self.controls.value

    def click(self, label: str, text: str | None = None) -> None:
        """What a click on button ``label`` does, with ``text`` typed into the box first (if given).
        Returns nothing, so a cell ending in a click shows no task object; ``settle()`` waits."""
        self.controls.click(label, text)

    async def _on_action(self, label: str, text: str) -> None:
        await self._send(self._specs[label], text.strip())

    def _spawn(self, coroutine: Any) -> asyncio.Future:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send(self, spec: SignalButton, text: str) -> None:
        if self.closed:
            self._fail(f"Not sent: {self.controls.closed}")
            return
        if spec.takes_text and not text:
            self._fail("Type something in the box first.")
            return
        args = spec.args(text)
        shown = f"{_handler_name(spec.signal)}({', '.join(repr(a) for a in args)})"
        async with self._send_lock:
            started = time.perf_counter()
            try:
                await self.handle.signal(spec.signal, *args)
            except Exception as exc:
                self._fail(f"{shown} failed: {error_line(exc)}")
                return
            elapsed = (time.perf_counter() - started) * 1000
        self.sent += 1
        self.last_error = None
        sent_line = _status_html(f"✓ sent {shown} ({elapsed:.0f} ms)", "ok")
        # The line goes to the page with the next state shown, in one repaint, whoever brings that state
        # (the read-back, or the watcher first on a loaded machine); a slow read-back shows it first.
        self._sent_line_waiting = sent_line
        early = asyncio.get_running_loop().call_later(SENT_LINE_AFTER_S, self._show_sent, sent_line)
        try:
            if self.refresh == "poll":
                await self._poll_until_changed()
            elif self.refresh == "update":
                await self._read_back()
        finally:
            early.cancel()
            self._show_sent(sent_line)

    def _show_sent(self, line: str) -> None:
        if self._sent_line_waiting == line:
            self._sent_line_waiting = None
        if self.last_error is None:  # a failed read-back's line stays
            self.status.value = line

    def _fail(self, line: str) -> None:
        self.last_error = line
        self.status.value = _status_html(line, "error")

    # -- learning about new states

    def _show(self, state: Any) -> None:
        if self.state_version and state == self.state and self.closed == self._shown_closed:
            return
        self._shown_closed = self.closed
        if self._sent_line_waiting is not None:
            self._show_sent(self._sent_line_waiting)
        self.state = state
        self.state_version += 1
        self.state_shown_at = time.perf_counter()
        closed = (
            f"<div class='tn-closed-badge'>workflow {html.escape(self.closed)}</div>" if self.closed else ""
        )
        self.state_view.value = (
            f"<div class='tn-state' style='{_WRAP}' data-version='{self.state_version}'>"
            f"{self.render(state)}</div>{closed}"
        )
        self._changed.set()

    async def _query(self) -> Any:
        self.queries_sent += 1
        return await self.handle.query(self.query)

    async def _refresh_once(self) -> None:
        try:
            self._show(await self._query())
        except Exception as exc:
            self._fail(f"query failed: {error_line(exc)}")

    def _request_refresh(self) -> None:
        """One query at a time; a request that comes meanwhile is remembered and served next."""
        if self._query_running:
            self._query_again = True
            return
        self._query_running = True
        self._spawn(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        try:
            while True:
                self._query_again = False
                await self._refresh_once()
                if not self._query_again:
                    return
        finally:
            self._query_running = False

    async def _watch(self) -> None:
        """Follow the run's history; query after each completed workflow task; stop at the close.

        No query for a workflow task that completed one of this panel's own read-backs: its answer is
        the state that task left (benchmarks/browser_click_latency.py found a click costing the server,
        and the kernel's worker, a redundant query every other time when the answer came first).
        """
        self._request_refresh()
        loop = asyncio.get_running_loop()
        try:
            while True:
                ended = None
                async for event in self.handle.fetch_history_events(wait_new_event=True):
                    if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                        if not self._reading_back and not self._refresh_due:
                            # Asked once the events that came with it are read (at the next long-poll).
                            self._refresh_due = True
                            loop.call_soon(self._refresh_if_due)
                    elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
                        update_id = event.workflow_execution_update_completed_event_attributes.meta.update_id
                        if update_id in self._read_back_ids:  # its answer holds the state of the tasks so far
                            del self._read_back_ids[update_id]
                            self._refresh_due = False
                    elif event.event_type in CLOSED_EVENTS:
                        ended = CLOSED_EVENTS[event.event_type]
                if ended == "continued as new" and self.handle.run_id is None:
                    continue  # the handle follows the workflow id: watch the new run from its start
                self.closed = ended or "closed"
                if self.state is not None:
                    self._show(self.state)  # the badge at once; the final query may follow
                self._request_refresh()  # the final state, if a worker can still answer
                self.controls.closed = f"The workflow is closed ({self.closed}): it takes no more signals."
                return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(f"stopped following the workflow: {error_line(exc)}")

    def _refresh_if_due(self) -> None:
        if self._refresh_due:
            self._refresh_due = False
            self._request_refresh()

    async def _poll_until_changed(self, quiet_s: float = 1.0, timeout_s: float = 10.0) -> None:
        """The naive way: query back to back until the state has changed and then stayed the same
        for ``quiet_s`` (a signal may cause several changes: queued, then greeted)."""
        deadline = time.perf_counter() + timeout_s
        last_change = None
        while time.perf_counter() < deadline:
            version = self.state_version
            await self._refresh_once()
            if self.last_error:
                return
            now = time.perf_counter()
            if self.state_version != version:
                last_change = now
            elif last_change is not None and now - last_change > quiet_s:
                return

    async def _read_back(self) -> None:
        self._reading_back += 1
        self.read_backs_sent += 1
        update_id = f"panel-read-back-{uuid.uuid4()}"
        self._read_back_ids[update_id] = None
        try:
            self._show(await self.handle.execute_update(self.read_back, id=update_id))
        except Exception:
            # E.g. the signal was "exit" and the workflow closed before the update reached it:
            # closed workflows take no updates, but they still answer queries.
            await self._refresh_once()
        finally:
            self._reading_back -= 1
            # Forget ids whose completion the watcher will never see (an update that failed, a watcher
            # that stopped); a few are kept for a completion still on its way.
            while len(self._read_back_ids) > 8:
                del self._read_back_ids[next(iter(self._read_back_ids))]

    # -- for cells and tests

    async def wait_for(self, predicate: Callable[[Any], bool], timeout_s: float = 10.0) -> Any:
        """Wait until the shown state satisfies ``predicate``, then until the clicks so far are answered
        (the state can come first, from the watcher: a cell that prints the status line then shows the
        click's own line); returns the state either way."""
        deadline = time.perf_counter() + timeout_s
        while not (self.state is not None and predicate(self.state)):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return self.state
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        await self.settle(max(0.0, deadline - time.perf_counter()))
        return self.state

    async def settle(self, timeout_s: float = 10.0) -> None:
        """Wait until the clicks made so far have been sent (their results are in the status)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.controls.settled(), timeout_s)

    async def wait_closed(self, timeout_s: float = 10.0) -> str | None:
        """Wait until the panel has seen its workflow close (buttons disabled); how it ended."""
        if self._watcher is not None:
            await asyncio.wait([self._watcher], timeout=timeout_s)
        return self.closed


def signal_panel(
    handle: WorkflowHandle,
    query: str | Callable,
    buttons: Sequence[SignalButton],
    **options: Any,
) -> SignalPanel:
    """Make a :class:`SignalPanel`, start following the workflow, and return it (display it in a cell)."""
    return SignalPanel(handle, query, buttons, **options).start()


# --- the polling query view -------------------------------------------------------------------


class QueryView:
    """A live view that queries a workflow every ``every_s`` seconds while it runs.

    Each poll uses ``reject_condition=NOT_OPEN``: once the workflow has closed the server rejects
    the query instead of asking a worker, and the view stops polling by itself.
    """

    def __init__(
        self,
        handle: WorkflowHandle,
        query: str | Callable,
        *args: Any,
        every_s: float = 0.5,
        title: str | None = None,
        render: Callable[[Any], str] = render_state,
    ) -> None:
        import ipywidgets

        self.handle = handle
        self.query = query
        self.args = list(args)
        self.every_s = every_s
        self.render = render
        self.state: Any = None
        self.polls = 0
        self.closed: str | None = None
        self.last_error: str | None = None
        self._task: asyncio.Task | None = None
        self.view = ipywidgets.HTML("<i>not polled yet</i>")
        self.view.add_class("tn-query-view")
        self.status = ipywidgets.HTML(_status_html("starting"))
        self.status.add_class("tn-query-status")
        heading = ipywidgets.HTML(
            f"<b>{html.escape(title or _handler_name(query))}</b> of <code>{html.escape(handle.id)}</code>"
        )
        self.widget = ipywidgets.VBox([heading, self.view, self.status])
        self.widget.add_class("tn-query-panel")

    def start(self) -> QueryView:
        key = f"{self.handle.id}/{_handler_name(self.query)}"
        old = _views.get(key)
        if old is not None and old is not self:
            old.stop()
        _views[key] = self
        self._task = asyncio.ensure_future(self._poll())
        return self

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    @property
    def status_text(self) -> str:
        return plain_text(self.status.value)

    @property
    def polling(self) -> bool:
        return self._task is not None and not self._task.done()

    async def wait_closed(self, timeout_s: float = 30.0) -> str | None:
        """Wait until polling has stopped (the workflow closed); returns how it ended."""
        if self._task is not None:
            await asyncio.wait([self._task], timeout=timeout_s)
        return self.closed

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _show(self, state: Any, note: str = "") -> None:
        self.state = state
        self.view.value = (
            f"<div class='tn-state' style='{_WRAP}' data-polls='{self.polls}'>"
            f"{self.render(state)}</div>{note}"
        )

    async def _poll(self) -> None:
        while True:
            try:
                state = await self.handle.query(
                    self.query, *self.args, reject_condition=QueryRejectCondition.NOT_OPEN
                )
            except WorkflowQueryRejectedError as exc:
                await self._finish(exc)
                return
            except asyncio.CancelledError:
                self.status.value = _status_html(f"stopped after {self.polls} polls")
                raise
            except Exception as exc:  # e.g. no worker: keep trying, say why
                self.last_error = error_line(exc)
                self.status.value = _status_html(f"poll failed: {self.last_error}", "error")
            else:
                self.polls += 1
                self._show(state)
                self.status.value = _status_html(
                    f"running · polled {self.polls} times, every {self.every_s:g} s", "ok"
                )
            await asyncio.sleep(self.every_s)

    async def _finish(self, rejected: WorkflowQueryRejectedError) -> None:
        status = rejected.status.name.removeprefix("WORKFLOW_EXECUTION_STATUS_") if rejected.status else ""
        self.closed = status.lower().replace("_", " ") or "closed"
        try:  # a closed workflow still answers queries (a worker replays its history)
            final = f"<div class='tn-closed-badge'>final ({html.escape(self.closed)})</div>"
            self._show(await self.handle.query(self.query, *self.args), final)
        except Exception as exc:
            self.last_error = error_line(exc)
        # A normal end is good news, not a warning.
        self.status.value = _status_html(
            f"The workflow is {self.closed}: polling stopped after {self.polls} polls.",
            "ok" if self.closed == "completed" else "closed",
        )


def query_view(handle: WorkflowHandle, query: str | Callable, *args: Any, **options: Any) -> QueryView:
    """Make a :class:`QueryView`, start polling, and return it (display it in a cell)."""
    return QueryView(handle, query, *args, **options).start()
