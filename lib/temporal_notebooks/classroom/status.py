"""The class as the server sees it: per learner, per lesson, what their workflows did.

One namespace serves a whole class; every workflow id a lesson creates is ``"<learner>.<name>"``,
so the visibility list alone tells who ran what: the learner from the id's prefix, the lesson
from the task queue (each notebook has its own) or else from the workflow type."""

from __future__ import annotations

import asyncio
import dataclasses
import html
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from ..runtime.learner import SEPARATOR, split_scoped
from .catalog import LESSONS, OTHER, Lesson, LessonIndex, lesson_by_number

STATUS_WORDS: dict[WorkflowExecutionStatus, str] = {
    WorkflowExecutionStatus.RUNNING: "running",
    WorkflowExecutionStatus.COMPLETED: "completed",
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.TIMED_OUT: "failed",
    WorkflowExecutionStatus.TERMINATED: "stopped",
    WorkflowExecutionStatus.CANCELED: "stopped",
}
# A run closed by continue-as-new lives on in the next run (same workflow id): not counted.
STATES = ("completed", "failed", "running", "stopped")
COLOURS = {"completed": "#2da44e", "failed": "#cf222e", "running": "#1f6feb", "stopped": "#8c959f"}
SYMBOLS = {"completed": "✔", "failed": "✖", "running": "▶", "stopped": "■"}


@dataclasses.dataclass(frozen=True)
class WorkflowRow:
    """One workflow run as the instructor view needs it."""

    learner: str
    lesson: str
    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str
    status: str
    start_time: datetime | None
    close_time: datetime | None


@dataclasses.dataclass
class LessonProgress:
    """What one learner did in one lesson.

    ``state`` is "running" while any of their runs is open (a long-lived workflow, or a stuck
    one); else "completed" when any run completed; else "failed" when a run failed; else
    "stopped" (terminated or cancelled only). Lessons fail workflows on purpose to show errors, so
    one failure next to completed runs is normal: the counts show it, the state does not alarm.
    """

    completed: int = 0
    failed: int = 0
    running: int = 0
    stopped: int = 0
    last_seen: datetime | None = None

    def add(self, row: WorkflowRow) -> None:
        setattr(self, row.status, getattr(self, row.status) + 1)
        when = row.close_time or row.start_time
        if when and (self.last_seen is None or when > self.last_seen):
            self.last_seen = when

    @property
    def total(self) -> int:
        return self.completed + self.failed + self.running + self.stopped

    @property
    def state(self) -> str:
        return next(s for s in ("running", "completed", "failed", "stopped") if getattr(self, s))

    def counts_text(self) -> str:
        return " ".join(f"{SYMBOLS[s]}{getattr(self, s)}" for s in STATES if getattr(self, s))


@dataclasses.dataclass
class ClassStatus:
    """The class as the server sees it: per learner, per lesson, what their workflows did.

    Shows itself in a notebook as a summary line, a bar chart and a table.
    """

    fetched_at: datetime
    lessons: list[Lesson]
    rows: list[WorkflowRow]
    unscoped: list[WorkflowRow]
    progress: dict[str, dict[str, LessonProgress]]  # learner → lesson number → progress
    truncated: bool = False

    @property
    def learners(self) -> list[str]:
        return sorted(self.progress)

    @property
    def lesson_columns(self) -> list[str]:
        """Registry lessons in order, plus "other" when some workflow belongs to no lesson."""
        seen = {number for per in self.progress.values() for number in per}
        columns = [lesson.number for lesson in self.lessons]
        return columns + ([OTHER] if OTHER in seen else [])

    def state(self, learner: str, lesson: str) -> str | None:
        """ "completed" / "failed" / "running" / "stopped", or None when the learner did not run it."""
        progress = self.progress.get(learner, {}).get(lesson)
        return progress.state if progress else None

    def lessons_run(self, learner: str) -> list[str]:
        return [number for number in self.lesson_columns if number in self.progress.get(learner, {})]

    def learners_by_state(self, lesson: str) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for per in self.progress.values():
            if lesson in per:
                counts[per[lesson].state] += 1
        return counts

    def summary(self) -> str:
        open_runs = sum(1 for r in self.rows if r.status == "running")
        failed = sum(1 for r in self.rows if r.status == "failed")
        text = (
            f"{len(self.progress)} learners, {len(self.rows)} workflow runs "
            f"({open_runs} running, {failed} failed), fetched {self.fetched_at:%H:%M:%S} UTC"
        )
        if self.truncated:
            text += " (list truncated: narrow it with since= or learners=)"
        if self.unscoped:
            text += f"; {len(self.unscoped)} runs without a learner prefix"
        return text

    def _lesson_title(self, number: str) -> str:
        lesson = lesson_by_number(number)
        return lesson.title if lesson else "other workflows"

    def table_html(self) -> str:
        columns = self.lesson_columns
        head = "".join(
            f"<th title='{html.escape(self._lesson_title(n))}'>{html.escape(n)}</th>" for n in columns
        )
        body = []
        for learner in self.learners:
            per = self.progress[learner]
            cells = []
            for number in columns:
                progress = per.get(number)
                if progress is None:
                    cells.append("<td style='color:#8c959f;text-align:center'>·</td>")
                    continue
                colour = COLOURS[progress.state]
                cells.append(
                    f"<td style='text-align:center' title='{html.escape(progress.counts_text())}'>"
                    f"<span style='color:{colour};font-weight:bold'>{SYMBOLS[progress.state]} "
                    f"{progress.state}</span><br/><small>{html.escape(progress.counts_text())}</small></td>"
                )
            last = max((p.last_seen for p in per.values() if p.last_seen), default=None)
            body.append(
                f"<tr><td class='tn-nowrap' style='white-space:nowrap'><b>{html.escape(learner)}</b></td>"
                f"{''.join(cells)}"
                f"<td style='text-align:right'>{sum(p.total for p in per.values())}</td>"
                f"<td>{_ago(last, self.fetched_at)}</td></tr>"
            )
        if not body:
            body.append(f"<tr><td colspan='{len(columns) + 3}'>No learner workflows found yet.</td></tr>")
        return (
            "<table><thead><tr><th>learner</th>"
            f"{head}<th>runs</th><th>last activity</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    def chart_svg(self, width: int = 640) -> str:
        """Per lesson, a bar split by how many learners are completed / failed / running / stopped."""
        from ..widgets.history import label_width_px

        columns = self.lesson_columns
        labels = [f"{number} {self._lesson_title(number)}" for number in columns]
        bar_h, gap = 18, 6
        left = max(210, label_width_px(labels, 12))  # whole lesson titles, never cut
        width = max(width, left + 300)
        most = max(len(self.progress), 1)
        scale = (width - left - 50) / most
        height = (bar_h + gap) * len(columns) + 34
        parts = [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            "font-family='sans-serif' font-size='12'>"
        ]
        for i, number in enumerate(columns):
            y = 4 + i * (bar_h + gap)
            parts.append(f"<text x='4' y='{y + 13}' data-max-x='{left - 2}'>{html.escape(labels[i])}</text>")
            parts.append(
                f"<rect x='{left}' y='{y}' width='{most * scale:.1f}' height='{bar_h}' fill='#f6f8fa'/>"
            )
            x = float(left)
            counts = self.learners_by_state(number)
            for state in STATES:
                if counts[state]:
                    w = counts[state] * scale
                    parts.append(
                        f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{COLOURS[state]}'>"
                        f"<title>{counts[state]} learners {state}</title></rect>"
                    )
                    x += w
            parts.append(f"<text x='{x + 4:.1f}' y='{y + 13}' fill='#57606a'>{sum(counts.values())}</text>")
        y = 4 + len(columns) * (bar_h + gap) + 12
        x = left
        for state in STATES:
            parts.append(f"<rect x='{x}' y='{y - 10}' width='10' height='10' fill='{COLOURS[state]}'/>")
            parts.append(f"<text x='{x + 14}' y='{y}'>{state}</text>")
            x += 90
        parts.append(f"<text x='4' y='{y}' fill='#57606a'>learners per lesson (of {most})</text></svg>")
        return "".join(parts)

    def learner_html(self, learner: str) -> str:
        """One learner's runs, newest first, each with its Web UI link when one is known."""
        from ..runtime.connection import current_info

        info = current_info()
        rows = sorted(
            (r for r in self.rows if r.learner == learner),
            key=lambda r: r.start_time or self.fetched_at,
            reverse=True,
        )
        body = []
        for row in rows:
            url = info.workflow_url(row.workflow_id, row.run_id)
            wid = html.escape(row.workflow_id)
            link = f"<a href='{html.escape(url)}' target='_blank'>{wid}</a>" if url else wid
            body.append(
                f"<tr><td>{html.escape(row.lesson)}</td><td>{link}</td><td>{html.escape(row.workflow_type)}</td>"
                f"<td style='color:{COLOURS[row.status]}'>{row.status}</td>"
                f"<td>{_ago(row.start_time, self.fetched_at)}</td></tr>"
            )
        return (
            f"<p><b>{html.escape(learner)}</b>: {len(rows)} runs</p><table><thead><tr><th>lesson</th>"
            "<th>workflow id</th><th>type</th><th>status</th><th>started</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        unscoped = ""
        if self.unscoped:
            ids = ", ".join(html.escape(r.workflow_id) for r in self.unscoped[:10])
            unscoped = (
                f"<p style='color:#9a6700'>Runs whose id has no learner prefix (not made with "
                f"<code>scoped()</code>): {ids}{' …' if len(self.unscoped) > 10 else ''}</p>"
            )
        return f"<p>{html.escape(self.summary())}</p>{self.chart_svg()}{self.table_html()}{unscoped}"

    def __repr__(self) -> str:
        lines = [self.summary()]
        for learner in self.learners:
            per = self.progress[learner]
            bits = [f"{n}:{per[n].state}" for n in self.lesson_columns if n in per]
            lines.append(f"  {learner}: {', '.join(bits)}")
        return "\n".join(lines)


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return ""
    seconds = max((now - when).total_seconds(), 0)
    if seconds < 60:
        return f"{seconds:.0f} s ago"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def visibility_query(since: timedelta | None = None, learners: Iterable[str] | None = None) -> str:
    """The list filter: runs started within ``since``, by the given learners (id prefix)."""
    parts = []
    if since is not None:
        start = (datetime.now(UTC) - since).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(f'StartTime > "{start}"')
    if learners is not None:
        prefixes = [f'WorkflowId STARTS_WITH "{name}{SEPARATOR}"' for name in sorted(set(learners))]
        if not prefixes:
            raise ValueError("learners= is empty: give at least one learner id, or None for all")
        parts.append("(" + " OR ".join(prefixes) + ")")
    return " AND ".join(parts)


def _row(execution: WorkflowExecution, index: LessonIndex) -> tuple[WorkflowRow, bool] | None:
    status = STATUS_WORDS.get(execution.status) if execution.status else None
    if status is None:
        return None
    parts = split_scoped(execution.id)
    learner = parts[0] if parts else ""
    row = WorkflowRow(
        learner=learner,
        lesson=index.lesson_of(execution.task_queue, execution.workflow_type),
        workflow_id=execution.id,
        run_id=execution.run_id,
        workflow_type=execution.workflow_type,
        task_queue=execution.task_queue,
        status=status,
        start_time=execution.start_time,
        close_time=execution.close_time,
    )
    return row, parts is not None


async def class_status(
    client: Client,
    *,
    since: timedelta | None = timedelta(hours=24),
    learners: Iterable[str] | None = None,
    limit: int = 20_000,
    lessons: Sequence[Lesson] = LESSONS,
) -> ClassStatus:
    """Per learner and lesson, the state of their workflows, from the server's visibility list.

    ``since`` limits the list to runs started recently (a class is a day); ``learners`` to some
    learner ids. At most ``limit`` runs are read (newest first).
    """
    index = await asyncio.to_thread(LessonIndex.build, lessons)
    query = visibility_query(since, learners)
    rows: list[WorkflowRow] = []
    unscoped: list[WorkflowRow] = []
    count = 0
    async for execution in client.list_workflows(query or None, limit=limit):
        count += 1
        made = _row(execution, index)
        if made is None:
            continue
        row, is_scoped = made
        (rows if is_scoped else unscoped).append(row)
    progress: dict[str, dict[str, LessonProgress]] = {}
    for row in rows:
        progress.setdefault(row.learner, {}).setdefault(row.lesson, LessonProgress()).add(row)
    return ClassStatus(
        fetched_at=datetime.now(UTC),
        lessons=list(lessons),
        rows=rows,
        unscoped=unscoped,
        progress=progress,
        truncated=count >= limit,
    )
