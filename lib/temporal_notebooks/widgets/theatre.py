"""The replay theatre: step a recorded history through the workflow code, event by event.

Left, the workflow's source with the line that made the current step lit; right, the history grouped
by workflow task with the current event lit; below, the workflow object's fields and the frame's locals
at that step, and where each waiting coroutine stands. Step, back, play at a chosen speed, click an
event to jump; keys: → or n (step), ← or p (back), space (play/pause), Home/End.

Every step is recorded in the kernel first (:mod:`temporal_notebooks.runtime.replay`) and sent to the
page as one JSON value: stepping needs no kernel round trip. The page writes the step it shows back to
``step``, so a notebook saved with its widget state shows that step again; the output also carries an
HTML picture of the current step, for viewers without widgets (a saved notebook without a kernel).
"""

from __future__ import annotations

import html
from typing import Any

import anywidget
import traitlets
from temporalio.client import WorkflowHandle, WorkflowHistory

from ..runtime.replay import Recording, TheatreUnavailable, record_replay

THEATRE_CLASS = "tn-theatre"

_ESM = r"""
const SPEEDS = [["0.5×", 1600], ["1×", 800], ["2×", 400], ["4×", 200]];

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function table(rows, empty) {
  if (!rows.length) return h("div", "tn-theatre-empty", empty);
  const t = h("table", "tn-theatre-values");
  for (const [name, value] of rows) {
    const tr = h("tr");
    tr.appendChild(h("th", "", name));
    tr.appendChild(h("td", "", value));
    t.appendChild(tr);
  }
  return t;
}

// A step's whole cost is what it changes: per-step texts, the rows to light and the state boxes are
// made once, row positions are measured when the panes are laid out (ResizeObserver) and kept, so a step
// reads no layout; it writes classes and texts in the click's own task and scrolls (only when the lit row
// is out of view) in the next animation frame, the frame that paints the step.
const LIT = "tn-theatre-lit";
const LIT_DIVERGED = "tn-theatre-lit-diverged";
const TITLE_PX = 24;  // the sticky pane title covers the top of a pane

// The three state boxes stay; a step swaps in only the tables that change (each made once per content).
const STATE_BOXES = [
  ["workflow fields (self)", (s) => [s.fields, "no fields"]],
  ["locals of the frame", (s) => [s.locals, s.locals.length ? "" : "no frame at this step"]],
  ["waiting coroutines", (s) => [s.waiting.map((w) => [w.function, `line ${w.line}`]), "none"]],
];

// Row positions in a scrolling pane, measured while its layout is clean and kept for the steps.
class PaneView {
  constructor(node, rows) {
    this.node = node;
    this.rows = rows;
    this.tops = new Map();
    this.view = 0;
    this.scroll = 0;
    this.max = 0;
    node.addEventListener("scroll", () => { this.scroll = node.scrollTop; }, { passive: true });
  }
  measure() {
    const node = this.node;
    this.view = node.clientHeight;
    this.scroll = node.scrollTop;
    this.max = Math.max(0, node.scrollHeight - this.view);
    for (const row of this.rows) {
      let top = 0;  // rows sit in positioned groups: add offsets up to the pane (position: relative)
      for (let box = row; box && box !== node; box = box.offsetParent) top += box.offsetTop;
      this.tops.set(row, [top, row.offsetHeight]);
    }
  }
  // Where the pane must scroll so that ``row`` is in view; null when it is (or nothing is measured).
  target(row) {
    const place = row && this.view > 0 ? this.tops.get(row) : undefined;
    if (!place) return null;
    const [top, height] = place;
    if (top >= this.scroll + TITLE_PX && top + height <= this.scroll + this.view) return null;
    return Math.min(this.max, Math.max(0, Math.round(top - this.view / 3)));
  }
}

function render({ model, el }) {
  const rec = model.get("recording");
  const steps = rec.steps || [];
  const root = h("div", "tn-theatre-root");
  root.tabIndex = 0;
  root.dataset.workflow = rec.workflow;
  root.dataset.playing = "no";
  const bar = h("div", "tn-theatre-bar");
  const back = h("button", "tn-theatre-back", "◀ back");
  const step = h("button", "tn-theatre-step", "step ▶");
  const play = h("button", "tn-theatre-play", "play");
  const speed = h("select", "tn-theatre-speed");
  SPEEDS.forEach(([label, ms], i) => {
    const o = h("option", "", label);
    o.value = String(ms);
    if (i === 1) o.selected = true;
    speed.appendChild(o);
  });
  // The counter's text changes at every step: it sits in a slot (the flex item) so that its own box,
  // not a flex item, bounds the layout a new text needs.
  const counterSlot = h("span", "tn-theatre-counter-slot");
  const counter = h("span", "tn-theatre-counter tn-nowrap");
  counterSlot.appendChild(counter);
  [back, step, play].forEach((b) => { b.type = "button"; });
  bar.append(back, step, play, speed, counterSlot);
  const caption = h("div", "tn-theatre-caption");
  const note = h("div", "tn-theatre-note");

  const panes = h("div", "tn-theatre-panes");
  const source = h("div", "tn-theatre-source");
  const head = h("div", "tn-theatre-pane-title", `${rec.workflow} · ${rec.file}`);
  source.appendChild(head);
  const lineEls = new Map();
  rec.source.forEach((text, i) => {
    const number = rec.first_line + i;
    const row = h("div", "tn-theatre-line");
    row.dataset.line = String(number);
    row.appendChild(h("span", "tn-theatre-lineno", String(number)));
    row.appendChild(h("span", "tn-theatre-code", text || " "));
    source.appendChild(row);
    lineEls.set(number, row);
  });
  const history = h("div", "tn-theatre-history");
  history.appendChild(h("div", "tn-theatre-pane-title", `history of ${rec.workflow_id}`));
  const eventEls = new Map();
  const stepOfEvent = new Map();
  steps.forEach((s, i) => { if (s.event) stepOfEvent.set(s.event, i); });
  const groups = new Map();
  for (const ev of rec.events) {
    let group = groups.get(ev.task);
    if (!group) {
      group = h("div", "tn-theatre-task");
      group.appendChild(h("div", "tn-theatre-task-title", `workflow task ${ev.task + 1}`));
      groups.set(ev.task, group);
      history.appendChild(group);
    }
    const row = h("div", "tn-theatre-event");
    row.dataset.event = String(ev.id);
    row.appendChild(h("span", "tn-theatre-event-id", String(ev.id)));
    row.appendChild(h("span", "tn-theatre-event-name", ev.name));
    if (ev.details) row.appendChild(h("span", "tn-theatre-event-details", ev.details));
    if (stepOfEvent.has(ev.id)) {
      row.classList.add("tn-theatre-reachable");
      row.addEventListener("click", () => { stop(); go(stepOfEvent.get(ev.id)); });
    } else {
      row.classList.add("tn-theatre-unreached");
      row.title = "replay did not reach this event";
    }
    group.appendChild(row);
    eventEls.set(ev.id, row);
  }
  panes.append(source, history);
  // Long code or history: panes of a fixed height that scroll, so a step's repaint stays inside them.
  const tall = rec.source.length > 15 || rec.events.length + groups.size > 15;
  if (tall) panes.classList.add("tn-theatre-tall");

  const divergence = h("div", "tn-theatre-divergence");
  if (rec.divergence) {
    const d = rec.divergence;
    const title = `Code and history part at event ${d.event}`;
    divergence.appendChild(h("div", "tn-theatre-divergence-title", title));
    divergence.appendChild(table([
      ["the history holds", `${d.event} ${d.event_name}`],
      ["the code issued", d.command],
      ["the SDK says", d.message],
    ], ""));
  } else {
    divergence.style.display = "none";
  }
  const state = h("div", "tn-theatre-state");
  const notes = h("div", "tn-theatre-notes", (rec.notes || []).join(" "));
  root.append(bar, caption, note, panes, divergence, state, notes);
  el.appendChild(root);

  // Everything a step shows, made once: the rows it lights, its texts, and the tables of its state
  // (steps with the same fields, locals or waiting coroutines share a table, built on first use or when
  // the page is idle).
  const boxes = STATE_BOXES.map(([title]) => {
    const box = h("div", "tn-theatre-box");
    box.append(h("div", "tn-theatre-box-title", title), h("div"));
    return box;
  });
  state.append(...boxes);
  const tables = STATE_BOXES.map(() => new Map());
  const tableFor = (s, k) => {
    const content = STATE_BOXES[k][1](s);
    const key = JSON.stringify(content);
    if (!tables[k].has(key)) tables[k].set(key, { content, node: null });
    return tables[k].get(key);
  };
  const shown = steps.map((s, i) => {
    return {
      line: lineEls.get(s.line) || null,
      event: eventEls.get(s.event) || null,
      lit: s.diverged ? LIT_DIVERGED : LIT,
      lineText: s.line == null ? "" : String(s.line),
      eventText: String(s.event),
      counter: `step ${i + 1} / ${steps.length} · event ${s.event}`,
      caption: s.caption + (s.matched ? ` (matched ${s.matched})` : ""),
      diverged: !!s.diverged,
      note: s.note || "",
      tables: STATE_BOXES.map((_, k) => tableFor(s, k)),
    };
  });
  const tableOf = (t) => (t.node = t.node || table(...t.content));
  const unbuilt = tables.flatMap((byKey) => [...byKey.values()]);
  let idleHandle = null;
  const whenIdle = (f) => (window.requestIdleCallback ? window.requestIdleCallback(f) : setTimeout(f, 50));
  const buildSome = (deadline) => {
    while (unbuilt.length && (!deadline || deadline.timeRemaining() > 2)) tableOf(unbuilt.pop());
    idleHandle = unbuilt.length ? whenIdle(buildSome) : null;
  };
  idleHandle = whenIdle(buildSome);

  const sourceView = new PaneView(source, [...lineEls.values()]);
  const historyView = new PaneView(history, [...eventEls.values()]);
  const scrollTo = { source: null, history: null };
  let scrollFrame = null;
  function scrollInFrame() {
    scrollFrame = null;
    if (scrollTo.source !== null) source.scrollTop = sourceView.scroll = scrollTo.source;
    if (scrollTo.history !== null) history.scrollTop = historyView.scroll = scrollTo.history;
    scrollTo.source = scrollTo.history = null;
  }
  function followStep() {
    const now = shown[current];
    if (!now) return;
    scrollTo.source = sourceView.target(now.line);
    scrollTo.history = historyView.target(now.event);
    if ((scrollTo.source !== null || scrollTo.history !== null) && scrollFrame === null) {
      scrollFrame = requestAnimationFrame(scrollInFrame);
    }
  }
  // Measured when the panes get their size (shown, or the window resized): the layout is clean then.
  const resized = new ResizeObserver(() => {
    sourceView.measure();
    historyView.measure();
    followStep();
  });
  resized.observe(source);
  resized.observe(history);

  let current = -1;
  let timer = null;
  const texts = { counter: null, caption: null, note: null, diverged: null, tables: [null, null, null] };

  let saveTimer = null;
  function go(index) {
    if (!steps.length) return;
    index = Math.max(0, Math.min(steps.length - 1, index));
    const before = shown[current];
    const now = shown[index];
    if (before) {
      if (before.line) before.line.classList.remove(before.lit);
      if (before.event) before.event.classList.remove(before.lit);
    }
    // Events before the current step are done: only those between the old and the new step change.
    for (let i = Math.max(0, Math.min(current, index)); i < Math.max(current, index); i++) {
      const e = shown[i].event;
      if (e) e.classList.toggle("tn-theatre-done", i < index);
    }
    if (now.line) now.line.classList.add(now.lit);
    if (now.event) now.event.classList.add(now.lit);
    current = index;
    root.dataset.step = String(index);
    root.dataset.line = now.lineText;
    root.dataset.event = now.eventText;
    if (texts.counter !== now.counter) counter.textContent = texts.counter = now.counter;
    if (texts.caption !== now.caption) caption.textContent = texts.caption = now.caption;
    if (texts.diverged !== now.diverged) {
      caption.classList.toggle("tn-theatre-caption-diverged", (texts.diverged = now.diverged));
    }
    if (texts.note !== now.note) note.textContent = texts.note = now.note;
    now.tables.forEach((t, k) => {
      if (texts.tables[k] === t) return;
      texts.tables[k] = t;
      boxes[k].lastChild.replaceWith(tableOf(t));
    });
    back.disabled = index === 0;
    step.disabled = index === steps.length - 1;
    followStep();
    // The kernel learns the step once stepping pauses (a saved notebook shows it again): one message,
    // not one per step of a play.
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (model.get("step") !== current) {
        model.set("step", current);
        model.save_changes();
      }
    }, 200);
  }

  function stop() {
    // Every step and back click stops a play: write the button only when one was playing (a new text,
    // even the same one, would lay the bar out again, and with it the notebook around the widget).
    if (timer === null) return;
    clearInterval(timer);
    timer = null;
    play.textContent = "play";
    root.dataset.playing = "no";
  }

  function start() {
    if (current >= steps.length - 1) go(0);
    play.textContent = "pause";
    root.dataset.playing = "yes";
    timer = setInterval(() => {
      if (current >= steps.length - 1) { stop(); return; }
      go(current + 1);
    }, Number(speed.value));
  }

  back.addEventListener("click", () => { stop(); go(current - 1); });
  step.addEventListener("click", () => { stop(); go(current + 1); });
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  speed.addEventListener("change", () => { if (timer !== null) { stop(); start(); } });
  root.addEventListener("keydown", (e) => {
    const keys = {
      ArrowRight: () => go(current + 1), n: () => go(current + 1),
      ArrowLeft: () => go(current - 1), p: () => go(current - 1),
      Home: () => go(0), End: () => go(steps.length - 1),
    };
    if (e.key === " ") { e.preventDefault(); e.stopPropagation(); timer === null ? start() : stop(); return; }
    if (keys[e.key]) { e.preventDefault(); e.stopPropagation(); stop(); keys[e.key](); }
  });
  const onStep = () => { if (model.get("step") !== current) go(model.get("step")); };
  model.on("change:step", onStep);
  go(model.get("step"));
  return () => {
    stop();
    clearTimeout(saveTimer);
    if (scrollFrame !== null) cancelAnimationFrame(scrollFrame);
    if (idleHandle !== null) {
      if (window.cancelIdleCallback) window.cancelIdleCallback(idleHandle);
      else clearTimeout(idleHandle);
    }
    resized.disconnect();
    model.off("change:step", onStep);
  };
}

export default { render };
"""

_CSS = """
.tn-theatre-root { font-family: var(--jp-ui-font-family); font-size: var(--jp-ui-font-size1);
  color: var(--jp-ui-font-color1); border: var(--jp-border-width) solid var(--jp-border-color2);
  padding: 6px; max-width: 100%; box-sizing: border-box; outline: none; }
/* The keys work while focus is anywhere in the theatre: the border says so, and does not change (nor
   repaint the whole widget) when a click moves focus between the theatre and its buttons. */
.tn-theatre-root:focus-within { border-color: var(--jp-brand-color1); }
.tn-theatre-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 4px; }
.tn-theatre-bar button, .tn-theatre-bar select { height: 26px; padding: 0 10px; font: inherit;
  cursor: pointer;
  color: var(--jp-ui-font-color1); background: var(--jp-layout-color2); border: none; border-radius: 2px; }
.tn-theatre-bar button:disabled { opacity: 0.5; cursor: default; }
/* Boxes whose text changes at each step have a fixed size (contain: strict), so a step lays out only
   inside them and never the notebook around the widget. */
.tn-theatre-counter-slot { flex: 0 0 auto; width: 17em; height: 1.4em; }
.tn-theatre-counter { color: var(--jp-ui-font-color2); display: block; width: 17em; height: 1.4em;
  line-height: 1.4em; contain: strict; }
.tn-theatre-caption { margin: 2px 0 4px; height: 2.8em; overflow-y: auto; overflow-wrap: anywhere;
  contain: strict; }
.tn-theatre-caption-diverged { color: var(--jp-error-color1, #c62828); font-weight: 600; }
.tn-theatre-note { margin: 0 0 4px; height: 2.8em; overflow-y: auto; color: var(--jp-ui-font-color2);
  font-style: italic; overflow-wrap: anywhere; contain: strict; }
.tn-theatre-panes { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 6px; }
/* A step changes classes inside the panes: containment keeps its style, layout and paint there. No smooth
   scrolling: a step's scroll lands in the frame that paints it. */
.tn-theatre-source, .tn-theatre-history { max-height: 360px; overflow-y: auto; overflow-x: hidden;
  border: var(--jp-border-width) solid var(--jp-border-color2); position: relative; min-width: 0;
  contain: content; scroll-behavior: auto; }
.tn-theatre-tall > .tn-theatre-source, .tn-theatre-tall > .tn-theatre-history { height: 360px;
  contain: strict; }
.tn-theatre-pane-title { position: sticky; top: 0; background: var(--jp-layout-color2); padding: 2px 6px;
  font-weight: 600; overflow-wrap: anywhere; z-index: 1; }
.tn-theatre-line { display: flex; font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  line-height: 1.45; }
.tn-theatre-lineno { flex: 0 0 3.2em; text-align: right; padding-right: 8px; color: var(--jp-ui-font-color3);
  user-select: none; }
.tn-theatre-code { flex: 1 1 auto; min-width: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.tn-theatre-lit { background: var(--jp-brand-color3, #bbdefb); }
.tn-theatre-lit-diverged { background: var(--jp-error-color3, #ffcdd2); }
/* Each workflow task's rows paint as a unit of their own (position: relative makes it a paint layer), so
   a step repaints the groups it changes and reuses the others as they were. */
.tn-theatre-task { border-bottom: var(--jp-border-width) solid var(--jp-border-color2); padding: 2px 0;
  position: relative; }
.tn-theatre-task-title { font-size: var(--jp-ui-font-size0); color: var(--jp-ui-font-color2);
  padding: 0 6px; }
.tn-theatre-event { display: flex; flex-wrap: wrap; gap: 0 6px; padding: 1px 6px; cursor: pointer; }
.tn-theatre-event:hover { background: var(--jp-layout-color2); }
.tn-theatre-event-id { flex: 0 0 2em; text-align: right; color: var(--jp-ui-font-color2); }
.tn-theatre-event-name { font-weight: 600; }
.tn-theatre-event-details { color: var(--jp-ui-font-color2); overflow-wrap: anywhere; min-width: 0; }
.tn-theatre-unreached { opacity: 0.45; cursor: default; }
.tn-theatre-done .tn-theatre-event-name { color: var(--jp-ui-font-color2); }
.tn-theatre-divergence { margin-top: 6px; padding: 4px 6px;
  border-left: 4px solid var(--jp-error-color1, #c62828);
  background: var(--jp-layout-color1); overflow-wrap: anywhere; }
.tn-theatre-divergence-title { font-weight: 600; color: var(--jp-error-color1, #c62828); }
.tn-theatre-state { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; height: 8.5em;
  overflow-y: auto; contain: strict; }
.tn-theatre-box { flex: 1 1 14em; min-width: 0; border: var(--jp-border-width) solid var(--jp-border-color2);
  padding: 2px 6px; }
.tn-theatre-box-title { font-weight: 600; color: var(--jp-ui-font-color2); }
.tn-theatre-values { border-collapse: collapse; width: 100%; table-layout: fixed; }
.tn-theatre-values th { text-align: left; font-weight: normal; color: var(--jp-ui-font-color2); width: 35%;
  padding-right: 6px; vertical-align: top; overflow-wrap: anywhere; }
.tn-theatre-values td { font-family: var(--jp-code-font-family); overflow-wrap: anywhere; }
.tn-theatre-empty { color: var(--jp-ui-font-color3); }
.tn-theatre-notes { margin-top: 4px; color: var(--jp-ui-font-color2); font-size: var(--jp-ui-font-size0);
  overflow-wrap: anywhere; }
"""


class ReplayTheatre(anywidget.AnyWidget):
    """A recorded replay the learner steps through in the page. ``recording`` is the whole replay as
    one JSON value; ``step`` is the step shown (set it from code to move the page)."""

    _esm = _ESM
    _css = _CSS
    recording = traitlets.Dict().tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)

    def __init__(self, recording: Recording, *, step: int | None = None) -> None:
        self.record = recording
        last = len(recording.steps) - 1
        super().__init__(recording=recording.to_json(), step=last if step is None else step)
        self.add_class(THEATRE_CLASS)

    # --- what code (and the tests) read, the same as the page shows ------------------------------

    @property
    def current(self) -> dict[str, Any]:
        return self.recording["steps"][self.step]

    @property
    def diverged_at(self) -> int | None:
        """The history event at which code and history part ways (None: it replayed clean)."""
        divergence = self.recording.get("divergence")
        return divergence["event"] if divergence else None

    @property
    def summary(self) -> str:
        """One line: where code and history part, or that it replayed clean."""
        return summary_line(self.recording)

    def go_to_event(self, event: int | str) -> None:
        """What clicking an event does: ``event`` is its id, or the name of the first such event
        (``"MarkerRecorded"``)."""
        if isinstance(event, str):
            event = next(e["id"] for e in self.recording["events"] if e["name"] == event)
        self.step = next(i for i, s in enumerate(self.recording["steps"]) if s["event"] == event)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = static_html(self.recording, self.step)
        data["text/plain"] = summary_line(self.recording)
        return bundle


def summary_line(recording: dict[str, Any]) -> str:
    steps = len(recording["steps"])
    divergence = recording.get("divergence")
    if divergence:
        return (
            f"Replay theatre: {recording['workflow']} parts from the history at event {divergence['event']} "
            f"({divergence['event_name']}): the code issued {divergence['command']}. {divergence['message']}"
        )
    return (
        f"Replay theatre: {recording['workflow']} replays {steps} events of {recording['workflow_id']} clean."
    )


def static_html(recording: dict[str, Any], step_index: int) -> str:
    """The current step as plain HTML: what a notebook saved with outputs shows without a kernel."""
    e = html.escape
    step = recording["steps"][step_index] if recording["steps"] else {"line": None, "event": 0, "caption": ""}

    def source_line(number: int, text: str) -> str:
        lit = number == step["line"]
        return (
            f'<div class="tn-theatre-line{" tn-theatre-lit" if lit else ""}" style="display:flex;'
            f'font-family:monospace;{"background:#bbdefb;" if lit else ""}">'
            f'<span style="flex:0 0 3.2em;text-align:right;padding-right:8px;color:#888">{number}</span>'
            f'<span style="white-space:pre-wrap;overflow-wrap:anywhere">{e(text)}</span></div>'
        )

    lines = "".join(
        source_line(recording["first_line"] + i, text) for i, text in enumerate(recording["source"])
    )
    events = "".join(
        f'<div class="tn-theatre-event{" tn-theatre-lit" if ev["id"] == step["event"] else ""}"'
        f"{' style=background:#bbdefb' if ev['id'] == step['event'] else ''}>"
        f"{ev['id']} <b>{e(ev['name'])}</b> {e(ev['details'])}</div>"
        for ev in recording["events"]
    )
    pane = "max-height:360px;overflow-y:auto;overflow-x:hidden;border:1px solid #ccc;min-width:0"
    return (
        f'<div class="tn-theatre-static" style="max-width:100%">'
        f"<div><b>{e(summary_line(recording))}</b></div>"
        f"<div>step {step_index + 1} / {len(recording['steps'])}: {e(step['caption'])}</div>"
        f'<div style="display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:6px">'
        f'<div style="{pane}">{lines}</div><div style="{pane}">{events}</div></div></div>'
    )


async def replay_theatre(
    history_or_handle: WorkflowHistory | WorkflowHandle, workflow_class: type | None = None
) -> ReplayTheatre:
    """``await replay_theatre(handle)`` replays that run through the class its worker runs (or pass
    ``workflow_class``); ``await replay_theatre(history, MyWorkflow)`` replays a downloaded history."""
    if isinstance(history_or_handle, WorkflowHandle):
        history = await history_or_handle.fetch_history()
    else:
        history = history_or_handle
    if workflow_class is None:
        workflow_class = _class_for(history)
    return ReplayTheatre(await record_replay(history, workflow_class))


def _class_for(history: WorkflowHistory) -> type:
    """The class this kernel's worker for the run's task queue registers for its workflow type (any
    worker of the kernel when none polls that queue)."""
    from temporalio import workflow

    from ..runtime.worker import running_workers

    started = history.events[0].workflow_execution_started_event_attributes
    type_name, queue = started.workflow_type.name, started.task_queue.name
    workers = sorted(running_workers().values(), key=lambda running: running.task_queue != queue)
    for running in workers:
        for cls in running.worker.config().get("workflows", []):
            defn = workflow._Definition.from_class(cls)
            if defn is not None and defn.name == type_name:
                return cls
    raise TheatreUnavailable(
        f"no worker of this notebook runs workflow type {type_name!r}: pass the class, "
        "await replay_theatre(handle, MyWorkflow)"
    )
