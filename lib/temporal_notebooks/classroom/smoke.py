"""The pre-class smoke test: each lesson's main workflow and each exercise solution, once, against
the configured server."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import inspect
import logging
import os
import pkgutil
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client

from ..runtime.exercises import short_lived_worker
from ..runtime.learner import LEARNER_ENV, learner_id, scoped
from .catalog import LESSONS, Lesson
from .status import SMOKE_LEARNER, visibility_query

SMOKE_CONNECT_TIMEOUT_S = 6.0
SMOKE_RUN_TIMEOUT_S = 20.0
SMOKE_CONCURRENCY = 4


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
        from ..runtime.errors import explain

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
    from ..runtime.exercises import solution_source, write_module

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
    from ..runtime.connection import connect
    from ..runtime.errors import NotebookError

    started = time.monotonic()
    try:
        client = await asyncio.wait_for(connect(quiet=True), SMOKE_CONNECT_TIMEOUT_S)
        from ..runtime.connection import current_info

        info = current_info()
        await asyncio.wait_for(
            client.count_workflows(visibility_query(timedelta(minutes=1), [learner_id()])),
            SMOKE_CONNECT_TIMEOUT_S,
        )
    except TimeoutError:
        from ..runtime.connection import configured_connect_args

        where = configured_connect_args().get("target_host") or "the local dev server"
        print_line(
            f"Smoke test FAILED: no answer from the Temporal server at {where} within "
            f"{SMOKE_CONNECT_TIMEOUT_S:.0f} s (check TEMPORAL_ADDRESS, TLS and API key settings)."
        )
        return 2
    except (NotebookError, RuntimeError, OSError) as exc:
        from ..runtime.errors import explain

        text = (explain(exc) or str(exc)).split("\n")[0]
        text = text.replace(", then re-run this cell.", ".").replace(" then re-run this cell.", "")
        print_line(f"Smoke test FAILED: {text}")
        return 2
    print_line(f"Temporal Notebooks smoke test as learner '{learner_id()}'. {info.describe()}")
    chosen = [lesson for lesson in LESSONS if lesson.smoke and (not numbers or lesson.number in numbers)]
    exercises = [n for n in exercise_solutions() if not numbers or n in numbers]
    run_tag = uuid.uuid4().hex[:6]
    # A few at a time (each on its own task queue): on a distant cluster every check waits on the
    # network, so overlapping them saves time; all at once, their workers starve each other of CPU
    # on a small machine and the lessons' short timeouts fire.
    limit = asyncio.Semaphore(SMOKE_CONCURRENCY)

    async def limited(check: Awaitable[SmokeResult]) -> SmokeResult:
        async with limit:
            return await check

    results = list(
        await asyncio.gather(
            *(limited(smoke_lesson(client, lesson, run_tag)) for lesson in chosen),
            *(limited(smoke_exercise(client, number)) for number in exercises),
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


@dataclasses.dataclass
class SmokeReport:
    """What one smoke test run printed; shows itself as that transcript."""

    lines: list[str]
    returncode: int | None = None  # None while it runs

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    def __repr__(self) -> str:
        return "\n".join(self.lines)

    def _repr_html_(self) -> str:
        import html

        colour = "#57606a" if self.returncode is None else "#2da44e" if self.passed else "#cf222e"
        body = "\n".join(
            f"<span style='color:#cf222e'>{html.escape(line)}</span>" if "FAIL" in line else html.escape(line)
            for line in self.lines
        )
        return f"<pre style='border-left:4px solid {colour};padding-left:8px'>{body}</pre>"


class SmokeTest:
    """The smoke test from the instructor notebook: a button, and ``await smoke.run()`` by code.

    It runs ``temporal-notebooks smoke`` as a child of the kernel, so with the kernel's Python and
    settings (what a terminal on a hub may lack), and shows its lines as they come.
    """

    def __init__(self, lessons: Sequence[str] = ()) -> None:
        import ipywidgets

        self.lessons = list(lessons)
        self.report: SmokeReport | None = None
        # Sized to its label: the default button width (148 px) cut it to "Run the smoke…".
        self.button = ipywidgets.Button(
            description="Run the smoke test", icon="check", layout=ipywidgets.Layout(width="auto")
        )
        self.button.add_class("tn-smoke-button")
        self.output = ipywidgets.HTML("Not run yet.")
        self.button.on_click(lambda _: asyncio.ensure_future(self.run()))

    async def run(self) -> SmokeReport:
        """Run it once (a click while it runs does not start a second run)."""
        from ..commands import run_command

        report = SmokeReport(["Starting the smoke test…"])
        self.report = report
        self.button.disabled = True
        self.output.value = report._repr_html_()
        try:

            def show(line: str) -> None:
                if report.lines == ["Starting the smoke test…"]:
                    report.lines.clear()
                report.lines.append(line)
                self.output.value = report._repr_html_()

            report.returncode = await run_command(["smoke", *self.lessons], show)
        except Exception as exc:  # shown, never raised from a click
            report.lines.append(f"Smoke test could not run: {type(exc).__name__}: {exc}")
            report.returncode = -1
        finally:
            self.button.disabled = False
        self.output.value = report._repr_html_()
        return report

    def widget(self) -> Any:
        import ipywidgets

        return ipywidgets.VBox([self.button, self.output])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())
