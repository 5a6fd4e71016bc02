"""The class as the server sees it: per learner, per lesson, what their workflows did.

One namespace serves a whole class; every workflow id a lesson creates is ``"<learner>.<name>"``,
so the visibility list alone tells who ran what: the learner from the id's prefix, the lesson
from the task queue (each notebook has its own) or else from the workflow type.

The catalog says which runs a lesson leaves open for play and which it fails on purpose; those are
counted apart, so a learner who finished lesson 06 (its playground greeter still open) is not
"running" like a stuck one, and a demonstrated timeout is not trouble. Open runs are described
once per refresh: a workflow task on its second attempt or later is failing right now, and its
learner is flagged. The smoke test's runs (learner ``smoke-test``) are counted apart too."""

from __future__ import annotations

import asyncio
import dataclasses
import html
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from ..runtime.learner import SEPARATOR, split_scoped
from .catalog import LESSONS, OTHER, Lesson, LessonIndex, is_exercise_check, lesson_by_number

SMOKE_LEARNER = "smoke-test"  # the smoke test's learner id: its runs are not a learner's
DESCRIBE_CONCURRENCY = 16

STATUS_WORDS: dict[WorkflowExecutionStatus, str] = {
    WorkflowExecutionStatus.RUNNING: "running",
    WorkflowExecutionStatus.COMPLETED: "completed",
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.TIMED_OUT: "failed",
    WorkflowExecutionStatus.TERMINATED: "stopped",
    WorkflowExecutionStatus.CANCELED: "stopped",
}
# A run closed by continue-as-new lives on in the next run (same workflow id): not counted.

# A learner's state in a lesson, most urgent first: "failing" (a workflow task fails right now),
# "running" (a run is open that the lesson does not leave open: in progress, or stuck waiting),
# "completed" (a run completed, or only the lesson's playground is open), "failed" (real
# failures only), "stopped" (only terminated or cancelled runs, or failures made on purpose).
STATES = ("failing", "running", "completed", "failed", "stopped")
COLOURS = {
    "failing": "#9a3412",
    "failed": "#cf222e",
    "running": "#1f6feb",
    "completed": "#2da44e",
    "stopped": "#8c959f",
}
SYMBOLS = {"failing": "⚠", "failed": "✖", "running": "▶", "completed": "✔", "stopped": "■"}
# What each run counts as (``WorkflowRow.outcome``), and how the counts are written.
OUTCOMES = ("completed", "running", "open for play", "failed", "failed on purpose", "stopped")
OUTCOME_SYMBOLS = {
    "completed": "✔",
    "running": "▶",
    "open for play": "◇",
    "failed": "✖",
    "failed on purpose": "○",
    "stopped": "■",
}


@dataclasses.dataclass(frozen=True)
class WorkflowRow:
    """One workflow run as the instructor view needs it."""

    learner: str
    lesson: str
    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str
    status: str  # what the server says: completed, failed (or timed out), running, stopped
    start_time: datetime | None
    close_time: datetime | None
    outcome: str = ""  # what it counts as: one of OUTCOMES
    on_purpose: bool = False  # the lesson fails, stalls or leaves this run open on purpose
    task_attempt: int = 0  # for an open run: its pending workflow task's attempt (0: none pending)
    task_failure: str = ""  # the message of its last workflow task failure, while it keeps failing

    @property
    def name(self) -> str:
        """The workflow id without the learner prefix (what the notebook passed to ``scoped()``)."""
        parts = split_scoped(self.workflow_id)
        return parts[1] if parts else self.workflow_id

    @property
    def task_failing(self) -> bool:
        """Its workflow task failed and is being retried right now (the server retries it forever)."""
        return self.status == "running" and self.task_attempt > 1

    @property
    def trouble(self) -> bool:
        """Failing right now, and not a failure the lesson shows on purpose."""
        return self.task_failing and not self.on_purpose


@dataclasses.dataclass
class LessonProgress:
    """What one learner did in one lesson: their runs counted by outcome, and the runs failing now.

    ``state`` (one of :data:`STATES`) is what the view colours; runs the lesson leaves open for
    play or fails on purpose never make it "running" or "failed".
    """

    completed: int = 0
    running: int = 0
    open_for_play: int = 0
    failed: int = 0
    failed_on_purpose: int = 0
    stopped: int = 0
    failing: list[WorkflowRow] = dataclasses.field(default_factory=list)
    last_seen: datetime | None = None

    def add(self, row: WorkflowRow) -> None:
        field = row.outcome.replace(" ", "_")
        setattr(self, field, getattr(self, field) + 1)
        if row.trouble:
            self.failing.append(row)
        when = row.close_time or row.start_time
        if when and (self.last_seen is None or when > self.last_seen):
            self.last_seen = when

    def count(self, outcome: str) -> int:
        return getattr(self, outcome.replace(" ", "_"))

    @property
    def total(self) -> int:
        return sum(self.count(outcome) for outcome in OUTCOMES)

    @property
    def state(self) -> str:
        if self.failing:
            return "failing"
        if self.running:
            return "running"
        if self.completed or self.open_for_play:
            return "completed"
        return "failed" if self.failed else "stopped"

    def counts_text(self) -> str:
        """E.g. ``✔3 ◇1 ○2``: completed, open for play, failed on purpose (see OUTCOME_SYMBOLS)."""
        return " ".join(f"{OUTCOME_SYMBOLS[o]}{self.count(o)}" for o in OUTCOMES if self.count(o))

    def counts_words(self) -> str:
        """E.g. ``3 completed, 1 open for play, 2 failed on purpose``."""
        return ", ".join(f"{self.count(o)} {o}" for o in OUTCOMES if self.count(o))


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
    smoke_runs: list[WorkflowRow] = dataclasses.field(default_factory=list)  # not a learner's
    tasks_checked: bool = True  # open runs were described (else no run shows as failing)

    @property
    def failing(self) -> dict[str, list[WorkflowRow]]:
        """Learners with a workflow task failing right now (not on purpose), with those runs."""
        flagged: dict[str, list[WorkflowRow]] = {}
        for row in self.rows:
            if row.trouble:
                flagged.setdefault(row.learner, []).append(row)
        return dict(sorted(flagged.items()))

    def outcome_count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

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
        counts = ", ".join(
            f"{self.outcome_count(o)} {o}"
            for o in ("running", "open for play", "failed", "failed on purpose")
            if o in ("running", "failed") or self.outcome_count(o)
        )
        text = (
            f"{_count(len(self.progress), 'learner')}, {_count(len(self.rows), 'workflow run')} ({counts}), "
            f"fetched {self.fetched_at:%H:%M:%S} UTC"
        )
        failing = self.failing
        if failing:
            who = ", ".join(
                f"{learner} ({', '.join(sorted({r.lesson for r in rows}))})"
                for learner, rows in failing.items()
            )
            text += f"; workflow task failing now: {who}"
        if self.smoke_runs:
            text += f"; smoke test: {_count(len(self.smoke_runs), 'run')} (not counted as a learner)"
        if self.truncated:
            text += " (list truncated: narrow it with since= or learners=)"
        if self.unscoped:
            text += f"; {_count(len(self.unscoped), 'run')} without a learner prefix"
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
                tip = f"{progress.state}: {progress.counts_words()}" + "".join(
                    f"\n⚠ {r.name}: workflow task attempt {r.task_attempt}: {r.task_failure}"
                    for r in progress.failing
                )
                # The state as its symbol (named in the tooltip and the legend): fourteen lessons fit.
                cells.append(
                    f"<td style='text-align:center' title='{html.escape(tip)}'>"
                    f"<span style='color:{colour};font-weight:bold'>{SYMBOLS[progress.state]}</span>"
                    f"<br/><small>{html.escape(progress.counts_text())}</small></td>"
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
                        f"<title>{_count(counts[state], 'learner')} {state}</title></rect>"
                    )
                    x += w
            parts.append(f"<text x='{x + 4:.1f}' y='{y + 13}' fill='#57606a'>{sum(counts.values())}</text>")
        y = 4 + len(columns) * (bar_h + gap) + 12
        x = left
        for state in STATES:
            parts.append(f"<rect x='{x}' y='{y - 10}' width='10' height='10' fill='{COLOURS[state]}'/>")
            parts.append(f"<text x='{x + 14}' y='{y}'>{state}</text>")
            x += 80
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
            outcome = html.escape(row.outcome)
            if row.task_failing:
                note = f"workflow task attempt {row.task_attempt}: {row.task_failure}"
                note += " (on purpose)" if row.on_purpose else ""
                outcome += f"<br/><small>⚠ {html.escape(note)}</small>"
            colour = COLOURS["failing" if row.trouble else row.status]
            body.append(
                f"<tr><td>{html.escape(row.lesson)}</td><td>{link}</td><td>{html.escape(row.workflow_type)}</td>"
                f"<td style='color:{colour}'>{outcome}</td>"
                f"<td>{_ago(row.start_time, self.fetched_at)}</td></tr>"
            )
        return (
            f"<p><b>{html.escape(learner)}</b>: {_count(len(rows), 'run')}</p>"
            "<table><thead><tr><th>lesson</th><th>workflow id</th><th>type</th><th>outcome</th>"
            "<th>started</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def failing_html(self) -> str:
        """The learners with a workflow task failing right now, each run with its failure."""
        failing = self.failing
        if not failing:
            return ""
        items = "".join(
            f"<li><b>{html.escape(learner)}</b>: "
            + "; ".join(
                f"{html.escape(r.lesson)} <code>{html.escape(r.name)}</code> workflow task attempt "
                f"{r.task_attempt}: {html.escape(r.task_failure)}"
                for r in rows
            )
            + "</li>"
            for learner, rows in failing.items()
        )
        return f"<p style='color:{COLOURS['failing']}'>⚠ Workflow task failing right now:</p><ul>{items}</ul>"

    def _repr_html_(self) -> str:
        unscoped = ""
        if self.unscoped:
            ids = ", ".join(html.escape(r.workflow_id) for r in self.unscoped[:10])
            unscoped = (
                f"<p style='color:#9a6700'>Runs whose id has no learner prefix (not made with "
                f"<code>scoped()</code>): {ids}{' …' if len(self.unscoped) > 10 else ''}</p>"
            )
        return (
            f"<p>{html.escape(self.summary())}</p>{self.failing_html()}{self.chart_svg()}"
            f"{self.table_html()}{unscoped}"
        )

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


def _count(number: int, noun: str) -> str:
    """ "1 learner", "2 learners": the page reads as a person writes."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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


def _outcome(status: str, lesson: Lesson | None, name: str) -> tuple[str, bool]:
    """What a run counts as, and whether the lesson does it on purpose (see the catalog)."""
    left_open = lesson.left_open(name) if lesson else False
    on_purpose = lesson.failed_on_purpose(name) if lesson else is_exercise_check(name)
    if status == "running":
        return ("open for play" if left_open else "running"), left_open or on_purpose
    if status in ("failed", "stopped") and on_purpose:
        return "failed on purpose", True
    return status, False


def _row(execution: WorkflowExecution, index: LessonIndex) -> tuple[WorkflowRow, bool] | None:
    status = STATUS_WORDS.get(execution.status) if execution.status else None
    if status is None:
        return None
    parts = split_scoped(execution.id)
    learner = parts[0] if parts else ""
    lesson = index.lesson_of(execution.task_queue, execution.workflow_type)
    outcome, on_purpose = _outcome(status, lesson_by_number(lesson), parts[1] if parts else execution.id)
    row = WorkflowRow(
        learner=learner,
        lesson=lesson,
        workflow_id=execution.id,
        run_id=execution.run_id,
        workflow_type=execution.workflow_type,
        task_queue=execution.task_queue,
        status=status,
        start_time=execution.start_time,
        close_time=execution.close_time,
        outcome=outcome,
        on_purpose=on_purpose,
    )
    return row, parts is not None


async def _with_task_state(client: Client, row: WorkflowRow, limit: asyncio.Semaphore) -> WorkflowRow:
    """The open run with its pending workflow task's attempt, and the failure when it keeps failing.

    An attempt above 1 means the previous attempt failed (or timed out): the server retries a
    failing workflow task forever, so to the learner the cell just waits."""
    async with limit:
        handle = client.get_workflow_handle(row.workflow_id, run_id=row.run_id)
        try:
            description = await handle.describe()
        except Exception:  # closed or gone since it was listed
            return row
        attempt = description.raw_description.pending_workflow_task.attempt
        if attempt <= 1:
            return dataclasses.replace(row, task_attempt=attempt)
        message = "failed"
        try:
            async for event in handle.fetch_history_events():
                if event.HasField("workflow_task_failed_event_attributes"):
                    message = event.workflow_task_failed_event_attributes.failure.message or message
                elif event.HasField("workflow_task_timed_out_event_attributes"):
                    message = "timed out (the worker did not answer)"
        except Exception:
            pass
        return dataclasses.replace(row, task_attempt=attempt, task_failure=message.splitlines()[0][:300])


async def class_status(
    client: Client,
    *,
    since: timedelta | None = timedelta(hours=24),
    learners: Iterable[str] | None = None,
    limit: int = 20_000,
    lessons: Sequence[Lesson] = LESSONS,
    check_tasks: bool = True,
) -> ClassStatus:
    """Per learner and lesson, the state of their workflows, from the server's visibility list.

    ``since`` limits the list to runs started recently (a class is a day); ``learners`` to some
    learner ids. At most ``limit`` runs are read (newest first). With ``check_tasks`` each open run is
    described, to find the workflow tasks failing right now.
    """
    index = await asyncio.to_thread(LessonIndex.build, lessons)
    query = visibility_query(since, learners)
    rows: list[WorkflowRow] = []
    unscoped: list[WorkflowRow] = []
    smoke: list[WorkflowRow] = []
    count = 0
    async for execution in client.list_workflows(query or None, limit=limit):
        count += 1
        made = _row(execution, index)
        if made is None:
            continue
        row, is_scoped = made
        (smoke if row.learner == SMOKE_LEARNER else rows if is_scoped else unscoped).append(row)
    if check_tasks:
        semaphore = asyncio.Semaphore(DESCRIBE_CONCURRENCY)
        open_rows = [i for i, row in enumerate(rows) if row.status == "running"]
        described = await asyncio.gather(*(_with_task_state(client, rows[i], semaphore) for i in open_rows))
        for i, row in zip(open_rows, described, strict=True):
            rows[i] = row
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
        smoke_runs=smoke,
        tasks_checked=check_tasks,
    )
