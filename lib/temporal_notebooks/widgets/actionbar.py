"""A text box and buttons whose click (or Enter) carries the box's text in the same message.

Why not an ipywidgets ``Text`` next to a ``Button``: the text box syncs its value to the kernel as one
message and the click travels as another, so a fast click (or a learner who types and clicks at once)
can reach the kernel first and act on the previous text. Here the page sends one custom message,
``{"event": "action", "action": <button>, "text": <what the box holds now>, "id": ...}``: the text and
the click cannot be separated.

The page disables the buttons the moment one is pressed until the kernel answers
``{"event": "done", "id": ...}``. A quick answer re-enables them within a tenth of a second, sooner than a
person's double click ends (80–250 ms between the clicks), so the page also treats a second press of the
same button with the same text within ``repeat_window_ms`` (500 ms, about a desktop's double-click time)
of the first as the same intent and sends nothing for it; the same press a second later is a deliberate
second send and goes out. Held-down Enter (key repeat) sends once. The kernel's ``busy`` trait disables
the buttons for clicks made by code (a page's click needs no such message: one repaint less on the way
to the answer); a non-empty ``closed`` disables the bar for good and shows that reason beside it.
Pressing a button leaves the focus in the text box, so the next value can be typed at once, and an Enter
pressed while an earlier press is pending is kept (with its text) and sent when the answer comes.

Python does what a click does with :meth:`ActionBar.click` (the same path as a message from the
page), so Restart & Run All stays meaningful.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anywidget
import traitlets

ACTION_BAR_CLASS = "tn-action-bar"
CLOSED_REASON_CLASS = "tn-closed-reason"

# One message per click or Enter: the text goes with it. Buttons stay disabled while the click is
# pending (this view's own click, or any click the kernel reports as busy) and once `closed` is set.
_ESM = r"""
const PENDING_GIVE_UP_MS = 60000;  // a kernel that died never answers: re-enable after this

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "tn-action-bar";
  const label = document.createElement("label");
  label.className = "tn-action-label";
  const inputWrap = document.createElement("div");
  inputWrap.className = ["tn-action-input", ...model.get("input_classes")].join(" ");
  const input = document.createElement("input");
  input.type = "text";
  input.spellcheck = false;
  inputWrap.appendChild(input);
  label.appendChild(document.createTextNode(model.get("label")));
  if (model.get("label")) root.appendChild(label);
  if (model.get("show_text")) root.appendChild(inputWrap);
  const buttons = model.get("actions").map((action) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = ["tn-action-button", ...(action.classes || [])].join(" ");
    if (action.primary) button.classList.add("tn-primary");
    button.textContent = action.label;
    button.title = action.tooltip || "";
    // Focus stays in the text box: the learner can type the next value at once, and the notebook around
    // the widget has no focus change to react to (that work delayed the answer's repaint).
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => send(action.label));
    root.appendChild(button);
    return button;
  });
  const reason = document.createElement("span");
  reason.className = "tn-closed-reason";
  root.appendChild(reason);
  el.appendChild(root);

  let pending = null;
  let giveUp = null;
  let lastSend = null;  // {action, text, at}: a repeat of it within repeat_window_ms is the same intent
  let counter = 0;
  const viewId = Math.random().toString(36).slice(2, 8);

  function refresh() {
    const closed = model.get("closed");
    const off = pending !== null || model.get("busy") || closed !== "";
    buttons.forEach((button) => { button.disabled = off; });
    input.disabled = closed !== "";
    input.placeholder = model.get("placeholder");
    reason.textContent = closed;
    reason.style.display = closed ? "" : "none";
    root.dataset.state = closed ? "closed" : off ? "busy" : "ready";
  }

  // Presses made while one is pending wait here and go out, in order, as each answer comes: a learner who
  // sees the answer and types the next value at once must not lose it (Enter works while the buttons are
  // off).
  const queue = [];

  function send(action) {
    if (model.get("closed")) return;
    const text = input.value;
    const now = performance.now();
    if (lastSend && lastSend.action === action && lastSend.text === text
        && now - lastSend.at < model.get("repeat_window_ms")) {
      root.dataset.repeatsIgnored = String(Number(root.dataset.repeatsIgnored || 0) + 1);
      return;
    }
    lastSend = { action, text, at: now };
    // The kernel takes the value from the message: no second message (and no echo) for it.
    model.set("value", text);
    queue.push({ action, text });
    sendNext();
    root.dataset.queued = String(queue.length);
  }

  function sendNext() {
    if (pending !== null || model.get("busy") || model.get("closed") || queue.length === 0) return;
    const { action, text } = queue.shift();
    root.dataset.queued = String(queue.length);
    pending = `${viewId}-${++counter}`;
    refresh();
    giveUp = setTimeout(() => { pending = null; refresh(); sendNext(); }, PENDING_GIVE_UP_MS);
    const sentAt = performance.timeOrigin + performance.now();
    model.send({ event: "action", action, text, id: pending, sent_at: sentAt });
  }

  input.addEventListener("keydown", (event) => {
    event.stopPropagation();  // keys typed here are text, not notebook shortcuts
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && model.get("enter_action")) {
      event.preventDefault();
      if (!event.repeat) send(model.get("enter_action"));
    }
  });
  const onValue = () => { if (input.value !== model.get("value")) input.value = model.get("value"); };
  const onMessage = (message) => {
    if (message && message.event === "done" && message.id === pending) {
      clearTimeout(giveUp);
      pending = null;
      const timings = (window.__tnActionTimings = window.__tnActionTimings || []);
      timings.push({ ...message, done_seen_at: performance.timeOrigin + performance.now() });
      if (timings.length > 500) timings.shift();
      refresh();
      sendNext();
    }
  };
  const onState = () => {
    if (model.get("closed")) queue.length = 0;  // a closed workflow takes nothing more: drop what waits
    refresh();
    sendNext();
  };
  model.on("change:value", onValue);
  model.on("change:busy change:closed change:placeholder", onState);
  model.on("msg:custom", onMessage);
  onValue();
  refresh();
  return () => {
    clearTimeout(giveUp);
    model.off("change:value", onValue);
    model.off("change:busy change:closed change:placeholder", onState);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
"""

# JupyterLab's own colours and sizes, so the bar looks like the rest of the page in light and dark.
_CSS = """
.tn-action-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 4px 0;
  max-width: 100%; box-sizing: border-box; font-family: var(--jp-ui-font-family);
  font-size: var(--jp-widgets-font-size, var(--jp-ui-font-size1)); }
.tn-action-label { color: var(--jp-ui-font-color1); white-space: nowrap; }
.tn-action-input { flex: 1 1 14em; min-width: 8em; max-width: 28em; }
.tn-action-input input { width: 100%; box-sizing: border-box; height: 28px; padding: 2px 6px;
  color: var(--jp-ui-font-color1); background: var(--jp-layout-color1);
  border: var(--jp-border-width) solid var(--jp-border-color1); border-radius: 2px; font: inherit; }
.tn-action-input input:focus { border-color: var(--jp-brand-color1); outline: none; }
.tn-action-button { height: 28px; padding: 0 12px; white-space: nowrap; cursor: pointer; font: inherit;
  color: var(--jp-ui-font-color1); background: var(--jp-layout-color2); border: none; border-radius: 2px; }
.tn-action-button.tn-primary { color: var(--jp-ui-inverse-font-color1, white);
  background: var(--jp-brand-color1); }
/* Dimmed once a send has taken 150 ms (or for good, once closed): a quick answer re-enables the button
   before the page repaints it, so that repaint does not hold the answer up. */
.tn-action-button:disabled { opacity: 0.5; cursor: not-allowed; transition: opacity 0s linear 0.15s; }
.tn-closed-reason { color: var(--jp-warn-color0, #9a6700); overflow-wrap: anywhere; }
"""


@dataclass
class Action:
    """One button of an :class:`ActionBar`: its label, the CSS classes tests find it by, and whether
    Enter in the text box presses it."""

    label: str
    classes: Sequence[str] = ()
    primary: bool = False
    on_enter: bool = False
    tooltip: str = ""


@dataclass
class ActionTiming:
    """Where one click's time went, in wall-clock milliseconds (page and kernel share the machine)."""

    sent_at: float  # the page sent the message
    received_at: float  # the kernel's handler got it
    started_at: float = 0.0  # the scheduled work started on the kernel's loop
    finished_at: float = 0.0  # the work (Temporal call, widget values set) finished
    # The kernel process's CPU time (all its threads) from received to finished: what the click cost
    # the kernel, apart from the time it spent waiting for the server (benchmarks/browser_click_latency.py).
    cpu_ms: float = 0.0
    cpu_at_receipt: float = dataclasses.field(default=0.0, repr=False)


Handler = Callable[[str, str], Awaitable[Any]]


class ActionBar(anywidget.AnyWidget):
    """Text box + buttons; ``handler(action_label, text)`` runs for each click, Enter or :meth:`click`."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    show_text = traitlets.Bool(True).tag(sync=True)
    input_classes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    actions = traitlets.List(traitlets.Dict()).tag(sync=True)
    enter_action = traitlets.Unicode("").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    closed = traitlets.Unicode("").tag(sync=True)
    # A second press of the same button with the same text this soon after the first is one intent.
    repeat_window_ms = traitlets.Int(500).tag(sync=True)

    def __init__(
        self,
        actions: Sequence[Action],
        handler: Handler,
        *,
        label: str = "",
        placeholder: str = "",
        show_text: bool = True,
        input_classes: Sequence[str] = (),
    ) -> None:
        enter = next((a.label for a in actions if a.on_enter), "")
        super().__init__(
            label=label,
            placeholder=placeholder,
            show_text=show_text,
            input_classes=list(input_classes),
            actions=[
                {"label": a.label, "classes": list(a.classes), "primary": a.primary, "tooltip": a.tooltip}
                for a in actions
            ],
            enter_action=enter,
        )
        self.add_class(ACTION_BAR_CLASS)
        self._handler = handler
        self._labels = {a.label for a in actions}
        self._pending: set[asyncio.Future] = set()
        self.timings: list[ActionTiming] = []  # the latest clicks from the page, newest last
        self.on_msg(self._on_message)

    # --- a click from the page, or from code: one path ----------------------------------------

    def _on_message(self, _widget: Any, content: dict, _buffers: list) -> None:
        if not isinstance(content, dict) or content.get("event") != "action":
            return
        timing = ActionTiming(
            sent_at=float(content.get("sent_at") or 0),
            received_at=time.time() * 1000,
            cpu_at_receipt=time.process_time() * 1000,
        )
        text = str(content.get("text", ""))
        with self._lock_property(value=text):  # the page has this text already: set it, don't send it
            self.value = text
        self._dispatch(str(content.get("action", "")), text, content.get("id"), timing)

    def click(self, action: str, text: str | None = None) -> asyncio.Future:
        """Do what pressing ``action`` does with ``text`` in the box (default: what is in it now).

        Returns the scheduled work, so code can ``await`` it; :meth:`settled` waits for all clicks."""
        if text is not None:
            self.value = text
        return self._dispatch(action, self.value, None, None)

    def _dispatch(self, action: str, text: str, reply_id: Any, timing: ActionTiming | None) -> asyncio.Future:
        if action not in self._labels:
            raise ValueError(f"no button {action!r}; the buttons are {sorted(self._labels)}")
        future = asyncio.ensure_future(self._run(action, text, reply_id, timing))
        self._pending.add(future)
        if reply_id is None:  # a page's click disabled its buttons already: no message needed for it
            self.busy = True
        future.add_done_callback(self._finished)
        return future

    async def _run(self, action: str, text: str, reply_id: Any, timing: ActionTiming | None) -> Any:
        if timing is not None:
            timing.started_at = time.time() * 1000
        try:
            return await self._handler(action, text)
        finally:
            if timing is not None:
                timing.finished_at = time.time() * 1000
                timing.cpu_ms = time.process_time() * 1000 - timing.cpu_at_receipt
                self.timings = [*self.timings[-199:], timing]
            if reply_id is not None:
                reply: dict[str, Any] = {"event": "done", "id": reply_id}
                if timing is not None:
                    reply.update(dataclasses.asdict(timing))
                with contextlib.suppress(Exception):  # a closed comm (page gone) is not our error
                    self.send(reply)

    def _finished(self, future: asyncio.Future) -> None:
        self._pending.discard(future)
        if not self._pending:
            self.busy = False

    async def settled(self) -> None:
        """Wait until every click so far (from the page or from code) has finished its work."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
