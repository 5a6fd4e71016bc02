"""Classroom support: the lesson registry, the instructor's view of a class, and the smoke test.

One Temporal namespace serves a whole class; every workflow id a lesson creates is
``"<learner>.<name>"`` (see :mod:`.learner`). So the server's visibility list alone tells an
instructor who ran what: the learner comes from the id's prefix, the lesson from the task queue
(each notebook runs its worker on a queue of its own) or else from the workflow type.

Adding a lesson is one line in :data:`LESSONS`: the instructor view then names its workflows and
``python -m temporal_notebooks smoke`` runs its main workflow once before class.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import dataclasses
import html
import importlib
import inspect
import logging
import os
import pkgutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from .exercises import short_lived_worker
from .learner import LEARNER_ENV, SEPARATOR, learner_id, scoped, split_scoped

# --- the lesson registry --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step:
    """One message the smoke test sends to a running workflow: a signal, a query or an update."""

    kind: str  # "signal" | "query" | "update"
    name: str
    args: tuple = ()


def signal(name: str, *args: Any) -> Step:
    return Step("signal", name, args)


def query(name: str, *args: Any) -> Step:
    return Step("query", name, args)


def update(name: str, *args: Any) -> Step:
    return Step("update", name, args)


@dataclasses.dataclass(frozen=True)
class SmokeRun:
    """How the smoke test exercises a lesson: start ``workflow`` with ``args`` (plain JSON values:
    the converter turns a dict into the lesson's dataclass), send ``steps``, then wait for the result
    and look for ``expect`` in it."""

    workflow: str
    args: tuple = ()
    steps: tuple[Step, ...] = ()
    expect: str | None = None


@dataclasses.dataclass(frozen=True)
class Lesson:
    """A lesson as the classroom tools see it.

    ``module`` names ``workflows/<module>.py`` and ``activities/<module>.py``; ``task_queues`` are
    the names the notebook passes to ``scoped()`` for its workers. ``smoke`` is None for a lesson
    that only reuses another lesson's code (it is then not run twice).
    """

    number: str
    title: str
    module: str
    task_queues: tuple[str, ...] = ()
    smoke: SmokeRun | None = None

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}"


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "Start here", "greeting", ("start-here",)),
    Lesson(
        "01",
        "Workflow basics",
        "greeting",
        ("workflow-basics", "greeting-app"),
        SmokeRun("GreetingWorkflow", ("smoke test",), expect="Hello, smoke test!"),
    ),
    Lesson(
        "02",
        "Parameters and return values",
        "parameters",
        ("parameters",),
        SmokeRun("PriceWorkflow", ("tea", 2, "smoke test"), expect="2 x tea = 9.00"),
    ),
    Lesson(
        "03",
        "Custom type names",
        "type_names",
        ("type-names", "type-names-refactor"),
        SmokeRun(
            "Checkout",
            ("smoke test",),
            (signal("add_item", "tea"), query("total"), update("apply-coupon", "HALFPRICE"), signal("pay")),
            expect="smoke test: 1 item(s)",
        ),
    ),
    Lesson(
        "04",
        "Activities",
        "activities_lesson",
        ("activities",),
        SmokeRun("StartToCloseWorkflow", (0.01,), expect="looked up"),
    ),
    Lesson(
        "05",
        "Workflow logic and determinism",
        "determinism",
        ("determinism",),
        SmokeRun("SafeAlternativesWorkflow", ("smoke test",), expect="'dice_roll'"),
    ),
    Lesson(
        "06",
        "Signals",
        "signals",
        ("signals",),
        SmokeRun(
            "GreeterWorkflow",
            ({"salutation": "Hi"},),
            (signal("submit_greeting", "Ada"), query("state"), update("greet", "Grace"), signal("exit")),
            expect="Hi, Grace!",
        ),
    ),
    Lesson(
        "07",
        "Queries",
        "queries",
        ("queries",),
        SmokeRun(
            "PackingWorkflow",
            ({"items": ["mug", "tea"], "seconds_per_item": 0.01},),
            (query("progress"), query("is packed", "mug")),
            expect="mug",
        ),
    ),
    Lesson(
        "08",
        "Updates",
        "updates",
        ("updates",),
        SmokeRun(
            "CartWorkflow",
            ("smoke-cart",),
            (update("add_item", {"sku": "apple", "quantity": 2}), query("summary"), update("checkout")),
            expect="'total_cents': 100",
        ),
    ),
    Lesson(
        "09",
        "Dynamic handlers",
        "dynamic",
        ("dynamic",),
        SmokeRun(
            "MessageBoxWorkflow",
            (),
            (signal("greeting", "hi"), update("set_colour", "blue"), query("received"), signal("close")),
            expect="greeting: hi",
        ),
    ),
)

OTHER = "other"  # the lesson column of workflows no lesson claims


def lesson_by_number(number: str) -> Lesson | None:
    return next((lesson for lesson in LESSONS if lesson.number == number), None)


def _workflow_type_names(module: Any) -> list[str]:
    """Type names of the @workflow.defn classes a module defines itself."""
    names = []
    for value in vars(module).values():
        definition = getattr(value, "__temporal_workflow_definition", None)
        if inspect.isclass(value) and value.__module__ == module.__name__ and definition and definition.name:
            names.append(definition.name)  # a dynamic workflow has no name of its own
    return names


def _solution_type_names() -> dict[str, str]:
    """Workflow type names the exercise solutions define, by lesson number (``lessonNN.py``).

    Read with ``ast`` (never executed): a learner's exercise workflow has the solution's type name,
    so an exercise's check runs count for its lesson.
    """
    found: dict[str, str] = {}
    try:
        folder = resources.files("temporal_notebooks.exercises.solutions")
        files = [f for f in folder.iterdir() if f.name.startswith("lesson") and f.name.endswith(".py")]
    except (ModuleNotFoundError, OSError):
        return found
    for file in files:
        number = file.name.removeprefix("lesson").removesuffix(".py")
        source = "\n".join(
            "" if line.lstrip().startswith("%") else line for line in file.read_text().splitlines()
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for name in _defn_names(node):
                    found.setdefault(name, number)
    return found


def _defn_names(node: ast.ClassDef) -> list[str]:
    names = []
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        if ast.unparse(target).split(".")[-1] != "defn":
            continue
        explicit = [
            kw.value.value
            for kw in (call.keywords if call else [])
            if kw.arg == "name" and isinstance(kw.value, ast.Constant)
        ]
        names.append(explicit[0] if explicit else node.name)
    return names


@dataclasses.dataclass
class LessonIndex:
    """Which lesson a workflow belongs to: by its task queue first, else by its type name."""

    by_queue: dict[str, str]
    by_type: dict[str, str]

    @classmethod
    def build(cls, lessons: Sequence[Lesson] = LESSONS) -> LessonIndex:
        by_queue: dict[str, str] = {}
        by_type: dict[str, str] = {}
        for lesson in lessons:
            for queue in lesson.task_queues:
                by_queue.setdefault(queue, lesson.number)
            if lesson.smoke is None:
                continue  # reuses another lesson's code: its workflows are that lesson's
            try:
                module = importlib.import_module(f"temporal_notebooks.workflows.{lesson.module}")
            except Exception:  # a lesson module being written must not break the instructor view
                continue
            for name in _workflow_type_names(module):
                by_type.setdefault(name, lesson.number)
        for name, number in _solution_type_names().items():
            by_type.setdefault(name, number)
        return cls(by_queue, by_type)

    def lesson_of(self, task_queue: str, workflow_type: str) -> str:
        parts = split_scoped(task_queue)
        queue = parts[1] if parts else task_queue
        if queue in self.by_queue:
            return self.by_queue[queue]
        return self.by_type.get(workflow_type, OTHER)


# --- the instructor's view ------------------------------------------------------------------------

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
                f"<tr><td><b>{html.escape(learner)}</b></td>{''.join(cells)}"
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
        columns = self.lesson_columns
        left, bar_h, gap = 210, 18, 6
        most = max(len(self.progress), 1)
        scale = (width - left - 50) / most
        height = (bar_h + gap) * len(columns) + 34
        parts = [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            "font-family='sans-serif' font-size='12'>"
        ]
        for i, number in enumerate(columns):
            y = 4 + i * (bar_h + gap)
            label = f"{number} {self._lesson_title(number)}"[:32]
            parts.append(f"<text x='4' y='{y + 13}'>{html.escape(label)}</text>")
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
        from .connection import current_info

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


class ClassView:
    """The instructor's live view: a Refresh button, an optional auto-refresh, the chart and table.

    ``await view.refresh()`` does by code what the button does.
    """

    def __init__(self, client: Client, *, every_s: float = 10.0, max_hours: float = 4.0, **query: Any):
        import ipywidgets

        self.client, self.query = client, query
        self.every_s, self.max_hours = every_s, max_hours
        self.status: ClassStatus | None = None
        self.button = ipywidgets.Button(description="Refresh", icon="refresh")
        self.auto = ipywidgets.ToggleButton(description=f"Auto-refresh every {every_s:.0f} s", value=False)
        self.line = ipywidgets.HTML("Not fetched yet: click Refresh.")
        self.output = ipywidgets.HTML()
        self.button.on_click(lambda _: self._schedule())
        self.auto.observe(self._toggle_auto, names="value")
        self._auto_task: asyncio.Task | None = None
        self.refreshes = 0

    def _schedule(self) -> None:
        asyncio.ensure_future(self.refresh())

    async def refresh(self) -> ClassStatus | None:
        """Fetch the class's status from the server and redraw; problems go to the status line."""
        self.line.value = "Fetching…"
        try:
            status = await class_status(self.client, **self.query)
        except Exception as exc:  # a view must not raise from a button click
            from .errors import explain

            self.line.value = f"<span style='color:#cf222e'>{html.escape(explain(exc) or str(exc))}</span>"
            return None
        self.status = status
        self.refreshes += 1
        self.line.value = html.escape(status.summary())
        self.output.value = status.chart_svg() + status.table_html()
        return status

    def _toggle_auto(self, change: dict) -> None:
        if change["new"] and (self._auto_task is None or self._auto_task.done()):
            self._auto_task = asyncio.ensure_future(self._auto_loop())
        elif not change["new"] and self._auto_task is not None:
            self._auto_task.cancel()

    async def _auto_loop(self) -> None:
        """Bounded: stops after ``max_hours`` (a class), or when the toggle is switched off."""
        deadline = time.monotonic() + self.max_hours * 3600
        while self.auto.value and time.monotonic() < deadline:
            await self.refresh()
            await asyncio.sleep(self.every_s)
        self.auto.value = False

    def widget(self) -> Any:
        import ipywidgets

        return ipywidgets.VBox([ipywidgets.HBox([self.button, self.auto]), self.line, self.output])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())


# --- the smoke test -------------------------------------------------------------------------------

SMOKE_LEARNER = "smoke-test"
SMOKE_CONNECT_TIMEOUT_S = 6.0
SMOKE_RUN_TIMEOUT_S = 20.0


@dataclasses.dataclass
class SmokeResult:
    name: str
    ok: bool
    message: str
    seconds: float

    def line(self) -> str:
        word = "ok  " if self.ok else "FAIL"
        return f"  {word}  {self.name:<40} {self.message} ({self.seconds * 1000:.0f} ms)"


def _lesson_code(module_name: str) -> tuple[list[type], list[Callable]]:
    """The workflow classes and activities a lesson module defines (what its notebook's worker runs)."""
    workflows_module = importlib.import_module(f"temporal_notebooks.workflows.{module_name}")
    by_type: dict[str, type] = {}  # one class per type name: lessons show versions side by side
    for value in vars(workflows_module).values():
        definition = getattr(value, "__temporal_workflow_definition", None)
        if inspect.isclass(value) and value.__module__ == workflows_module.__name__ and definition:
            by_type.setdefault(definition.name or "*dynamic*", value)
    workflows = list(by_type.values())
    activities: dict[str, Callable] = {}
    with contextlib.suppress(ModuleNotFoundError):
        activities_module = importlib.import_module(f"temporal_notebooks.activities.{module_name}")
        for value in vars(activities_module).values():
            definition = getattr(value, "__temporal_activity_definition", None)
            if definition and getattr(value, "__module__", None) == activities_module.__name__:
                activities.setdefault(definition.name or "*dynamic*", value)
    return workflows, list(activities.values())


async def smoke_lesson(
    client: Client, lesson: Lesson, run_tag: str = "", timeout_s: float = SMOKE_RUN_TIMEOUT_S
) -> SmokeResult:
    """Run the lesson's main workflow once on a temporary worker; never raises.

    Its id is ``<learner>.smoke<run_tag>-<module>-…``, so one smoke test's runs can be listed."""

    assert lesson.smoke is not None
    run = lesson.smoke
    started = time.monotonic()
    name = f"{lesson.number} {lesson.title}"

    def result(ok: bool, message: str) -> SmokeResult:
        return SmokeResult(name, ok, message, time.monotonic() - started)

    try:
        workflows, activities = _lesson_code(lesson.module)
    except Exception as exc:
        return result(False, f"cannot import the lesson's code: {type(exc).__name__}: {exc}")
    task_queue = scoped(f"smoke-{lesson.module}")
    handle = None
    finished = False
    try:
        async with short_lived_worker(client, task_queue, workflows=workflows, activities=activities):
            handle = await client.start_workflow(
                run.workflow,
                args=list(run.args),
                id=scoped(f"smoke{run_tag}-{lesson.module}-{uuid.uuid4().hex[:8]}"),
                task_queue=task_queue,
            )

            async def drive() -> Any:
                for step in run.steps:
                    if step.kind == "signal":
                        await handle.signal(step.name, args=list(step.args))
                    elif step.kind == "query":
                        await handle.query(step.name, args=list(step.args))
                    else:
                        await handle.execute_update(step.name, args=list(step.args))
                return await handle.result()

            value = await asyncio.wait_for(drive(), timeout_s)
            finished = True
    except TimeoutError:
        return result(False, f"no result within {timeout_s:.0f} s{await _task_failure(handle)}")
    except Exception as exc:
        from .errors import explain

        return result(False, explain(exc) or f"{type(exc).__name__}: {exc}")
    finally:
        if handle is not None and not finished:  # leave nothing running on the class's server
            with contextlib.suppress(Exception):
                await handle.terminate("smoke test cleanup")
    text = repr(value)
    if run.expect is not None and run.expect not in text:
        return result(False, f"{run.workflow} returned {text[:80]}; expected it to contain {run.expect!r}")
    steps = f" after {len(run.steps)} messages" if run.steps else ""
    return result(True, f"{run.workflow}{steps} → {text[:60]}")


async def _task_failure(handle: Any) -> str:
    """Why a smoke run hangs, when its history says (a failing workflow task is retried forever)."""
    if handle is None:
        return ""
    with contextlib.suppress(Exception):
        async for event in handle.fetch_history_events():
            if event.HasField("workflow_task_failed_event_attributes"):
                return (
                    f": workflow task failed: {event.workflow_task_failed_event_attributes.failure.message}"
                )
    return " (is a worker for its task queue running?)"


def exercise_solutions() -> list[str]:
    """Lesson numbers with a solution file, in order."""
    import temporal_notebooks.exercises.solutions as package

    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("lesson")]
    return sorted(name.removeprefix("lesson") for name in names)


async def smoke_exercise(client: Client, number: str) -> SmokeResult:
    """The lesson's check passes with its own solution (what ``%solution lessonNN`` runs)."""
    from .exercises import solution_source, write_module

    started = time.monotonic()
    name = f"{number} exercise check with the solution"
    try:
        source = solution_source(f"lesson{number}")
        first, _, body = source.partition("\n")
        if not first.startswith("%%module_file"):
            return SmokeResult(name, True, "skipped (the solution is not a %%module_file cell)", 0.0)
        write_module(first.split()[1], body)
        checker = importlib.import_module(f"temporal_notebooks.exercises.lesson{number}")
        checked = await asyncio.wait_for(checker.check(client), SMOKE_RUN_TIMEOUT_S)
    except Exception as exc:
        return SmokeResult(name, False, f"{type(exc).__name__}: {exc}", time.monotonic() - started)
    return SmokeResult(name, bool(checked), checked.message, time.monotonic() - started)


async def smoke_visibility(client: Client, expected: int, run_tag: str) -> SmokeResult:
    """The instructor view works: listing by learner prefix finds the smoke test's own runs."""
    started = time.monotonic()
    name = "instructor view (list by learner prefix)"
    prefix = scoped(f"smoke{run_tag}-")
    query = f'{visibility_query(timedelta(hours=1))} AND WorkflowId STARTS_WITH "{prefix}"'
    found = 0
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            found = len([e async for e in client.list_workflows(query, limit=1000)])
            if found >= expected:  # visibility trails the runs by a moment
                break
            await asyncio.sleep(0.2)
    except Exception as exc:
        return SmokeResult(name, False, f"listing failed: {exc}", time.monotonic() - started)
    message = f"found this test's {found} runs (expected {expected})"
    return SmokeResult(name, found >= expected, message, time.monotonic() - started)


async def run_smoke(numbers: Sequence[str] = (), *, print_line: Callable[[str], None] = print) -> int:
    """Run the smoke test and print one line per check. Returns the exit code (0 = all passed)."""
    from .connection import connect
    from .errors import NotebookError

    started = time.monotonic()
    try:
        client = await asyncio.wait_for(connect(quiet=True), SMOKE_CONNECT_TIMEOUT_S)
        from .connection import current_info

        info = current_info()
        await asyncio.wait_for(
            client.count_workflows(visibility_query(timedelta(minutes=1), [learner_id()])),
            SMOKE_CONNECT_TIMEOUT_S,
        )
    except TimeoutError:
        from .connection import configured_connect_args

        where = configured_connect_args().get("target_host") or "the local dev server"
        print_line(
            f"Smoke test FAILED: no answer from the Temporal server at {where} within "
            f"{SMOKE_CONNECT_TIMEOUT_S:.0f} s (check TEMPORAL_ADDRESS, TLS and API key settings)."
        )
        return 2
    except (NotebookError, RuntimeError, OSError) as exc:
        from .errors import explain

        text = (explain(exc) or str(exc)).split("\n")[0]
        text = text.replace(", then re-run this cell.", ".").replace(" then re-run this cell.", "")
        print_line(f"Smoke test FAILED: {text}")
        return 2
    print_line(f"Temporal Notebooks smoke test as learner '{learner_id()}'. {info.describe()}")
    chosen = [lesson for lesson in LESSONS if lesson.smoke and (not numbers or lesson.number in numbers)]
    exercises = [n for n in exercise_solutions() if not numbers or n in numbers]
    run_tag = uuid.uuid4().hex[:6]
    # All at once (each on its own task queue): on a distant cluster every check waits on the
    # network, so the whole test takes about as long as its slowest check.
    results = list(
        await asyncio.gather(
            *(smoke_lesson(client, lesson, run_tag) for lesson in chosen),
            *(smoke_exercise(client, number) for number in exercises),
        )
    )
    for result in results:
        print_line(result.line())
    lesson_runs_ok = sum(1 for r in results[: len(chosen)] if r.ok)
    results.append(await smoke_visibility(client, lesson_runs_ok, run_tag))
    print_line(results[-1].line())
    failed = [r for r in results if not r.ok]
    took = time.monotonic() - started
    if failed:
        print_line(f"Smoke test FAILED: {len(failed)} of {len(results)} checks failed ({took:.1f} s).")
        return 1
    print_line(f"Smoke test passed: {len(results)} checks in {took:.1f} s.")
    return 0


def smoke_main(numbers: Sequence[str] = (), learner: str = SMOKE_LEARNER) -> int:
    """``python -m temporal_notebooks smoke``: the smoke test under its own learner id.

    The SDK's worker logs are silenced: expected failures inside lesson code (an exercise that
    shows a failing activity) would print tracebacks, and each check already reports its outcome.
    """
    os.environ[LEARNER_ENV] = learner
    for name in ("temporalio.worker", "temporalio.activity", "temporalio.workflow"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return asyncio.run(run_smoke(numbers))
