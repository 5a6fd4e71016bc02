"""The lesson catalog: one list that the instructor view, the smoke test, the README check and the
tests all read. Adding a lesson is one entry in :data:`LESSONS`.

An entry, field by field (only the first four are required)::

    Lesson(
        "06",                      # number: the notebook's prefix, e.g. "01b" (sorted as listed here)
        "Signals",                 # title: as in the notebook's "# 06 · Signals" and the README row
        "06_signals.ipynb",        # notebook: its file in notebooks/
        "signals",                 # module: workflows/signals.py and activities/signals.py
        task_queues=("signals",),  # the names the notebook passes to scoped() for its workers
        smoke=SmokeRun(...),       # the smoke test's run of the lesson (None: reuses another lesson's code)
        open_for_play=("greeter-playground",),  # workflow ids the lesson leaves running on purpose
        fails_on_purpose=("typo-*",),  # ids it fails, terminates or lets a workflow task fail on purpose
        tracks=IN_WORKSHOP,        # the tracks (TRACKS) that take the lesson; default: the full course
    )

Workflow ids are written without the learner prefix (``scoped("greeter")`` is ``"greeter"`` here)
and may use ``*`` and ``?`` (``fnmatch``). The instructor view counts those runs apart: a learner
whose only open run is a playground has finished, and a demonstrated failure is not trouble.
Exercise check runs (:data:`EXERCISE_CHECK_IDS`) fail while the learner's code is not right yet:
they count as attempts, not trouble, for every lesson.

A :class:`Track` is a way through the lessons: the 3-hour workshop takes some of them on their core path
(their *(optional)* sections skipped), the full course takes all of them whole. A lesson names the
tracks that take it; a new track is one entry in :data:`TRACKS` and its name in the lessons' ``tracks``.
``benchmarks/lesson_time.py`` estimates each lesson's time and writes the agenda and the "**Time:**"
lines from them."""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import importlib
import inspect
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ..runtime.learner import split_scoped


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
class Track:
    """A way through the lessons, e.g. a workshop of fixed length or the whole course."""

    name: str  # what a lesson's ``tracks`` names
    title: str
    minutes: int | None  # the time it has, breaks included (None: as long as its lessons take)
    core_path: bool  # its learners skip the *(optional)* sections


TRACKS: tuple[Track, ...] = (
    Track("workshop", "the 3-hour workshop", 180, core_path=True),
    Track("course", "the full course", None, core_path=False),
    # lessons for a learner's first real service, taken alone or in a second session after the workshop
    Track("after", "after the workshop", None, core_path=False),
)
COURSE = ("course",)
IN_WORKSHOP = ("workshop", "course")
AFTER_THE_WORKSHOP = ("course", "after")


@dataclasses.dataclass(frozen=True)
class Lesson:
    """A lesson as the classroom tools see it (the module docstring describes each field)."""

    number: str
    title: str
    notebook: str
    module: str
    task_queues: tuple[str, ...] = ()
    smoke: SmokeRun | None = None
    open_for_play: tuple[str, ...] = ()
    fails_on_purpose: tuple[str, ...] = ()
    tracks: tuple[str, ...] = COURSE

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}"

    def left_open(self, name: str) -> bool:
        """Does the lesson leave this workflow (id without the learner prefix) running on purpose?"""
        return _matches(name, self.open_for_play)

    def failed_on_purpose(self, name: str) -> bool:
        """Does the lesson (or an exercise check) fail, terminate or stall this workflow on purpose?"""
        return _matches(name, self.fails_on_purpose) or is_exercise_check(name)


EXERCISE_CHECK_IDS = ("check-*",)  # what run_exercise_workflow and the exercise checks start


def is_exercise_check(name: str) -> bool:
    """Is this workflow (id without the learner prefix) an exercise check's run?"""
    return _matches(name, EXERCISE_CHECK_IDS)


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "Start here", "00_start_here.ipynb", "greeting", ("start-here",), tracks=IN_WORKSHOP),
    Lesson(
        "01",
        "Workflow basics",
        "01_workflow_basics.ipynb",
        "greeting",
        ("workflow-basics", "greeting-app"),
        SmokeRun("GreetingWorkflow", ("smoke test",), expect="Hello, smoke test!"),
        fails_on_purpose=("typo-greeting",),  # a typo in the type name: stuck, then terminated
        tracks=IN_WORKSHOP,
    ),
    Lesson(
        "01b",
        "Durable execution you can see",
        "01b_durable_execution.ipynb",
        "durable",
        ("durable", "durable-crash"),
        SmokeRun(
            "OrderWorkflow",
            ({"order_id": "smoke test", "pause_s": 0.01, "work_s": 0.0},),
            expect="email_receipt done",
        ),
        tracks=IN_WORKSHOP,
    ),
    Lesson(
        "02",
        "Parameters and return values",
        "02_parameters_and_returns.ipynb",
        "parameters",
        ("parameters",),
        SmokeRun("PriceWorkflow", ("tea", 2, "smoke test"), expect="2 x tea = 9.00"),
        # an old caller, an empty order, a result too large (retried, then not)
        fails_on_purpose=("price-old-caller", "quote-empty", "quote-plain-object", "report-big*"),
    ),
    Lesson(
        "03",
        "Custom type names",
        "03_custom_type_names.ipynb",
        "type_names",
        ("type-names", "type-names-refactor"),
        SmokeRun(
            "Checkout",
            ("smoke test",),
            (signal("add_item", "tea"), query("total"), update("apply-coupon", "HALFPRICE"), signal("pay")),
            expect="smoke test: 1 item(s)",
        ),
        fails_on_purpose=("order-a2", "purchase-a3"),  # a renamed type nobody runs; a lost signal
    ),
    Lesson(
        "04",
        "Activities",
        "04_activities.ipynb",
        "activities_lesson",
        ("activities", "activities-more"),
        # Retries with timers between attempts (a 500 ms timeout demo would fail on a busy machine).
        SmokeRun("FlakyServiceWorkflow", ("smoke test",), expect="done on attempt 3"),
        fails_on_purpose=("start-to-close", "schedule-to-close", "charge-*"),  # timeouts, non-retryable
        tracks=IN_WORKSHOP,
    ),
    Lesson(
        "05",
        "Workflow logic and determinism",
        "05_determinism.ipynb",
        "determinism",
        ("determinism",),
        SmokeRun("SafeAlternativesWorkflow", ("smoke test",), expect="'dice_roll'"),
        fails_on_purpose=("rule-breaker-*",),  # the sandbox stops each rule breaker's workflow task
        tracks=IN_WORKSHOP,
    ),
    Lesson(
        "06",
        "Signals",
        "06_signals.ipynb",
        "signals",
        ("signals",),
        SmokeRun(
            "GreeterWorkflow",
            ({"salutation": "Hi"},),
            (signal("submit_greeting", "Ada"), query("state"), update("greet", "Grace"), signal("exit")),
            expect="Hi, Grace!",
        ),
        open_for_play=("greeter-playground",),  # the learner's own panel at the end
        tracks=IN_WORKSHOP,
    ),
    Lesson(
        "07",
        "Queries",
        "07_queries.ipynb",
        "queries",
        ("queries",),
        SmokeRun(
            "PackingWorkflow",
            ({"items": ["mug", "tea"], "seconds_per_item": 0.01},),
            (query("progress"), query("is packed", "mug")),
            expect="mug",
        ),
        tracks=IN_WORKSHOP,
    ),
    Lesson(
        "08",
        "Updates",
        "08_updates.ipynb",
        "updates",
        ("updates",),
        SmokeRun(
            "CartWorkflow",
            ("smoke-cart",),
            (update("add_item", {"sku": "apple", "quantity": 2}), query("summary"), update("checkout")),
            expect="'total_cents': 100",
        ),
        open_for_play=("cart-form",),  # the update form's cart stays open after Run All
        tracks=COURSE,  # the workshop ends with 07: its three hours hold no more with practice
    ),
    Lesson(
        "09",
        "Dynamic handlers",
        "09_dynamic_handlers.ipynb",
        "dynamic",
        ("dynamic",),
        SmokeRun(
            "MessageBoxWorkflow",
            (),
            (signal("greeting", "hi"), update("set_colour", "blue"), query("received"), signal("close")),
            expect="greeting: hi",
        ),
    ),
    Lesson(
        "10",
        "Message handlers in depth",
        "10_message_handlers.ipynb",
        "message_handlers",
        ("message-handlers",),
        SmokeRun(
            "ConcertWorkflow",
            ({"name": "smoke test", "seats": 10},),
            (update("book", {"customer": "smoke", "seats": 3}), query("seats"), signal("close")),
            expect="7",
        ),
        # entities that may still be open when the learner moves on; a workflow that returns too early
        open_for_play=("account", "concert-rock"),
        fails_on_purpose=("order-hasty",),
    ),
    Lesson(
        "11",
        "Errors, cancellation and the sandbox's escape hatches",
        "11_errors_and_cancellation.ipynb",
        "errors_lesson",
        ("errors", "errors-strict", "errors-urls", "errors-intercepted"),
        SmokeRun("QuotesWorkflow", (["north", "south"], True), expect="'shop': 'south'"),
        # every section shows a failure happening before its fix
        fails_on_purpose=(
            "reserve-unicorn",
            "parse-quantity*",
            "quantity-*",
            "job-*",
            "forgot-to-await",
            "blocking-call",
            "report-name",
            "amount-*",  # bad input, with and without the interceptor
        ),
    ),
    Lesson(
        "12",
        "Testing your workflows",
        "12_testing_workflows.ipynb",
        "testing_lesson",
        ("testing",),
        SmokeRun(
            "Trial", ({"customer": "smoke test", "days": 30},), (signal("cancel"),), expect="not charged"
        ),
    ),
    Lesson(
        "13",
        "Child workflows and continue-as-new",
        "13_child_workflows.ipynb",
        "child_workflows",
        ("child-workflows",),
        SmokeRun(
            "PackOrderWorkflow", ({"order_id": "smoke test", "items": ["mug", "tea"]},), expect="mug packed"
        ),
        # the couriers their parent's close policy terminates or cancels, on purpose
        fails_on_purpose=("dispatch-*/courier",),
        tracks=AFTER_THE_WORKSHOP,
    ),
    Lesson(
        "14",
        "Sagas: undo what already happened",
        "14_sagas.ipynb",
        "sagas",
        ("sagas",),
        SmokeRun("BookTripWorkflow", ({"trip_id": "smoke test", "cars_left": 1},), expect="car booked"),
        # trips that fail for good after their undo, on purpose (and the one stopped in the middle)
        fails_on_purpose=("trip-*",),
        tracks=AFTER_THE_WORKSHOP,
    ),
    Lesson(
        "15",
        "Schedules and visibility",
        "15_schedules_and_visibility.ipynb",
        "schedules",
        ("schedules",),
        SmokeRun("ReportWorkflow", ({"region": "smoke test"},), expect="sales report for smoke test"),
        tracks=AFTER_THE_WORKSHOP,
    ),
    Lesson(
        "16",
        "Data converters and codecs",
        "16_data_converters.ipynb",
        "data_converters",
        ("converters-pydantic", "converters-encrypted", "converters-hidden"),
        SmokeRun("NoteWorkflow", ("smoke test",), expect="SMOKE TEST"),
        # a declined card (twice: leaked, then sealed); a run no worker can read, terminated
        fails_on_purpose=("payment-declined*", "note-no-codec"),
        tracks=AFTER_THE_WORKSHOP,
    ),
    Lesson(
        "17",
        "Versioning a workflow that is already running",
        "17_versioning.ipynb",
        "versioning",
        ("versioning", "versioning-deployments"),
        SmokeRun("Delivery", ("smoke test",), (signal("pick_up"),), expect="shipped smoke test"),
        tracks=AFTER_THE_WORKSHOP,
    ),
)

OTHER = "other"  # the lesson column of workflows no lesson claims


def track_by_name(name: str) -> Track:
    return next(track for track in TRACKS if track.name == name)


def lessons_in(track: str) -> tuple[Lesson, ...]:
    """The lessons a track takes, in catalog order."""
    return tuple(lesson for lesson in LESSONS if track in lesson.tracks)


def lesson_by_number(number: str) -> Lesson | None:
    return next((lesson for lesson in LESSONS if lesson.number == number), None)


def lesson_by_notebook(file_name: str) -> Lesson | None:
    return next((lesson for lesson in LESSONS if lesson.notebook == file_name), None)


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
