"""A workflow run's event history as a learner sees it: a table, a timeline picture, a Web UI link."""

from __future__ import annotations

import dataclasses
import html
from datetime import datetime

from google.protobuf.json_format import MessageToDict
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle

from ..runtime.connection import current_info

_PREFIX = "EVENT_TYPE_"
_ONE_LINE = "white-space:nowrap"  # "1637 ms" must not wrap into "1637 / ms"


def event_name(event: HistoryEvent) -> str:
    """``EVENT_TYPE_WORKFLOW_TASK_STARTED`` → ``WorkflowTaskStarted``."""
    raw = EventType.Name(event.event_type).removeprefix(_PREFIX)
    return "".join(word.capitalize() for word in raw.split("_"))


def label_width_px(labels: list[str], font_px: float) -> int:
    """Room for the longest label in an SVG (sans-serif: about 0.62 em per character, digits and
    capitals included), so labels are never cut."""
    return int(max((len(label) for label in labels), default=0) * font_px * 0.62) + 12


def _payload_text(payloads: dict | None) -> str:
    """The JSON payloads of an event's input or result, decoded for display."""
    import base64
    import json

    items = []
    for payload in (payloads or {}).get("payloads", []):
        raw = base64.b64decode(payload.get("data", ""))
        encoding = base64.b64decode(payload.get("metadata", {}).get("encoding", "")).decode(errors="replace")
        if encoding.startswith("binary/"):  # a codec's output (encrypted, compressed): bytes, not text
            items.append(f"[{encoding}, {len(raw)} bytes]")
            continue
        data = raw.decode(errors="replace")
        try:
            data = json.dumps(json.loads(data), ensure_ascii=False)  # "€", not "\\u20ac"
        except ValueError:
            pass
        items.append(data)
    return ", ".join(items)


def event_details(event: HistoryEvent) -> str:
    """A short description of what the event says (names, inputs, results, failures)."""
    which = event.WhichOneof("attributes")
    if which is None:
        return ""
    attrs = MessageToDict(getattr(event, which))
    bits = []
    for key in ("workflowType", "activityType"):
        if key in attrs:
            bits.append(attrs[key].get("name", ""))
    for key in ("signalName", "queryType"):
        if key in attrs:
            bits.append(attrs[key])
    if "acceptedRequest" in attrs:
        bits.append("update " + attrs["acceptedRequest"].get("input", {}).get("name", ""))
    for key in ("input", "result"):
        if key in attrs:
            bits.append(f"{key}: {_payload_text(attrs[key])}")
    if "outcome" in attrs and "success" in attrs["outcome"]:
        bits.append(f"result: {_payload_text(attrs['outcome']['success'])}")
    if "failure" in attrs:
        bits.append(f"failure: {attrs['failure'].get('message', '')}")
    if "newExecutionRunId" in attrs:  # continue-as-new: the run that carries on
        bits.append(f"next run: {attrs['newExecutionRunId']}")
    if "continuedExecutionRunId" in attrs:
        bits.append(f"continues run: {attrs['continuedExecutionRunId']}")
    if "startToFireTimeout" in attrs:
        bits.append(f"timer {attrs['startToFireTimeout']}")
    if "attempt" in attrs and int(attrs["attempt"]) > 1:
        bits.append(f"attempt {attrs['attempt']}")
    text = " · ".join(b for b in bits if b)
    return text if len(text) <= 160 else text[:157] + "…"


@dataclasses.dataclass
class History:
    """A fetched event history; shows itself in a notebook as a timeline and a table."""

    workflow_id: str
    run_id: str | None
    events: list[HistoryEvent]

    @property
    def names(self) -> list[str]:
        return [event_name(e) for e in self.events]

    def _start(self) -> datetime:
        return self.events[0].event_time.ToDatetime()

    def _offset_ms(self, event: HistoryEvent) -> float:
        return (event.event_time.ToDatetime() - self._start()).total_seconds() * 1000

    def table_html(self) -> str:
        rows = "".join(
            f"<tr><td>{e.event_id}</td>"
            f"<td class='tn-nowrap' style='{_ONE_LINE};text-align:right'>{self._offset_ms(e):.0f} ms</td>"
            f"<td style='text-align:left'>{html.escape(event_name(e))}</td>"
            f"<td style='text-align:left'>{html.escape(event_details(e))}</td></tr>"
            for e in self.events
        )
        return (
            "<table class='tn-history-table'><thead><tr><th>#</th><th>time</th>"
            "<th style='text-align:left'>event</th>"
            "<th style='text-align:left'>details</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def timeline_svg(self, width: int = 720) -> str:
        """Bars for the run, each workflow task and each activity; ticks for signals and more."""
        if not self.events:
            return ""
        total = max(self._offset_ms(self.events[-1]), 1.0)
        lane_h, font_px = 22, 11
        lanes: list[tuple[str, float, float, str]] = []  # label, start, end, colour
        marks: list[tuple[float, str]] = []
        open_tasks: dict[int, float] = {}
        activity_names: dict[int, str] = {}
        for event in self.events:
            name, at = event_name(event), self._offset_ms(event)
            if name in ("WorkflowTaskScheduled", "ActivityTaskScheduled"):
                open_tasks[event.event_id] = at
                if name == "ActivityTaskScheduled":
                    activity_names[event.event_id] = (
                        event.activity_task_scheduled_event_attributes.activity_type.name
                    )
            elif name.startswith("WorkflowTask") and name != "WorkflowTaskStarted":
                attrs = getattr(event, event.WhichOneof("attributes"))
                start = open_tasks.pop(attrs.scheduled_event_id, at)
                colour = "#1f6feb" if name == "WorkflowTaskCompleted" else "#cf222e"
                lanes.append(("workflow task", start, at, colour))
            elif name.startswith("ActivityTask") and name not in ("ActivityTaskStarted",):
                attrs = getattr(event, event.WhichOneof("attributes"))
                start = open_tasks.pop(attrs.scheduled_event_id, at)
                colour = "#2da44e" if name == "ActivityTaskCompleted" else "#cf222e"
                label = "activity " + activity_names.get(attrs.scheduled_event_id, "")
                lanes.append((label, start, at, colour))
            elif not name.startswith(("WorkflowTask", "ActivityTask", "WorkflowExecutionStarted")):
                marks.append((at, name))
        rows = [("workflow run", 0.0, total, "#8250df"), *lanes]
        left = max(150, label_width_px([row[0] for row in rows], font_px))
        width = max(width, left + 300)  # long activity names widen the picture, the bars keep their room
        scale = (width - left - 20) / total
        height = lane_h * (len(rows) + 1) + 10
        parts = [
            f"<svg class='tn-timeline' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"font-family='sans-serif' font-size='{font_px}'>"
        ]
        for i, (label, start, end, colour) in enumerate(rows):
            y = 5 + i * lane_h
            x, w = left + start * scale, max((end - start) * scale, 2)
            parts.append(f"<text x='4' y='{y + 14}' data-max-x='{left - 2}'>{html.escape(label)}</text>")
            parts.append(
                f"<rect x='{x:.1f}' y='{y + 3}' width='{w:.1f}' height='{lane_h - 8}' "
                f"fill='{colour}' rx='3'><title>{html.escape(label)}: {start:.0f}–{end:.0f} ms"
                "</title></rect>"
            )
        y = 5 + len(rows) * lane_h
        for at, name in marks:
            x = left + at * scale
            parts.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='5' y2='{y}' stroke='#bf8700' "
                f"stroke-dasharray='3,2'><title>{html.escape(name)} at {at:.0f} ms</title></line>"
            )
        parts.append(
            f"<text x='{left}' y='{y + 14}' fill='#57606a'>0 ms</text>"
            f"<text x='{width - 20}' y='{y + 14}' text-anchor='end' fill='#57606a'>"
            f"{total:.0f} ms</text></svg>"
        )
        return "".join(parts)

    def _repr_html_(self) -> str:
        link = workflow_link_html(self.workflow_id, self.run_id)
        return f"<div class='tn-history'>{link}{self.timeline_svg()}{self.table_html()}</div>"

    def __repr__(self) -> str:
        lines = [f"History of {self.workflow_id} ({len(self.events)} events)"]
        lines += [f"{e.event_id:>3} {event_name(e)} {event_details(e)}" for e in self.events]
        return "\n".join(lines)


async def fetch_history(handle: WorkflowHandle) -> History:
    """The run's events so far (call again for a fresher copy)."""
    events = [event async for event in handle.fetch_history_events()]
    run_id = handle.result_run_id or handle.run_id
    if events and not run_id:
        run_id = events[0].workflow_execution_started_event_attributes.original_execution_run_id
    return History(handle.id, run_id, events)


def workflow_link_html(workflow_id: str, run_id: str | None = None) -> str:
    url = current_info().workflow_url(workflow_id, run_id)
    if url is None:
        return f"<p>Workflow <code>{html.escape(workflow_id)}</code></p>"
    return (
        f"<p>Workflow <code>{html.escape(workflow_id)}</code>: "
        f"<a href='{html.escape(url)}' target='_blank'>open in the Temporal Web UI</a></p>"
    )


class WebUILink:
    """Displays as a clickable link in a notebook and as the plain URL elsewhere."""

    def __init__(self, workflow_id: str, run_id: str | None = None) -> None:
        self.workflow_id, self.run_id = workflow_id, run_id
        self.url = current_info().workflow_url(workflow_id, run_id)

    def _repr_html_(self) -> str:
        return workflow_link_html(self.workflow_id, self.run_id)

    def __repr__(self) -> str:
        return self.url or f"(no Web UI known) workflow {self.workflow_id}"


def ui_link(handle: WorkflowHandle) -> WebUILink:
    """The Web UI link of a workflow run."""
    return WebUILink(handle.id, handle.result_run_id or handle.run_id)


@dataclasses.dataclass
class RunChain:
    """Every run of one workflow id, first to last, joined by continue-as-new: a line per run with
    its Web UI link, then each run's picture."""

    runs: list[History]

    def lines(self) -> list[str]:
        lines = []
        for number, run in enumerate(self.runs, 1):
            then = "continued as new" if run.names[-1] == "WorkflowExecutionContinuedAsNew" else run.names[-1]
            lines.append(f"run {number} ({run.run_id}): {len(run.events)} events, {then}")
        return lines

    def _repr_html_(self) -> str:
        items = []
        for line, run in zip(self.lines(), self.runs, strict=True):
            url = current_info().workflow_url(run.workflow_id, run.run_id)
            link = f" · <a href='{html.escape(url)}' target='_blank'>open in the Temporal Web UI</a>"
            link = link if url else ""
            items.append(f"<li>{html.escape(line)}{link}</li>")
        summary = "".join(items)
        pictures = "".join(
            f"<p><b>run {number}</b></p>{run.timeline_svg()}" for number, run in enumerate(self.runs, 1)
        )
        return f"<div class='tn-history'><ol style='padding-left:1.2em'>{summary}</ol>{pictures}</div>"

    def __repr__(self) -> str:
        return "\n".join(self.lines())


async def fetch_run_chain(client: Client, workflow_id: str, max_runs: int = 50) -> RunChain:
    """Every run of ``workflow_id`` so far, from its first run, following each continue-as-new."""
    latest = [e async for e in client.get_workflow_handle(workflow_id).fetch_history_events()]
    run_id: str | None = latest[0].workflow_execution_started_event_attributes.first_execution_run_id
    runs: list[History] = []
    while run_id and len(runs) < max_runs:
        run = await fetch_history(client.get_workflow_handle(workflow_id, run_id=run_id))
        runs.append(run)
        last = run.events[-1] if run.events else None
        continued = last is not None and last.HasField("workflow_execution_continued_as_new_event_attributes")
        run_id = None
        if continued:
            run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    return RunChain(runs)
