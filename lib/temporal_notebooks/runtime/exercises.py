"""Exercises: learner code in cells that a sandboxed worker can run, check cells, solutions on request.

The workflow sandbox re-imports a workflow's module from its file for every run; a class defined in
a cell lives in ``__main__``, which has no file, so the worker refuses it. ``%%module_file name``
writes the cell to ``<workspace>/name.py``, imports it, and puts its names in the notebook, so
the learner's workflow runs with the sandbox on.

How a lesson adds an exercise (four cells, and two files in ``temporal_notebooks/exercises/``):

1. the exercise cell: ``%%module_file exerciseNN`` and a skeleton with ``TODO`` lines;
2. the check cell: ``from temporal_notebooks.exercises import lessonNN`` / ``await lessonNN.check(client)``;
3. a markdown cell: ``### Solution`` and a line on the button below;
4. the solution cell: ``solution_button("lessonNN")``.

``exercises/lessonNN.py`` holds ``async def check(client) -> CheckResult``. A check never raises:
it returns ``passed(...)`` or ``not_yet(...)`` with one line that names what is wrong, so Run All
goes on past an untouched exercise. Check the lesson's idea, not only the final value:
``run_exercise`` gives the result *and* the history (``ExerciseRun.activity_types``, the scheduled
retry policies, ...). ``exercises/solutions/lessonNN.py`` holds the solution cell's text, starting
with its ``%%module_file exerciseNN`` line. ``tests/exercises/wrong_answers/lessonNN.py`` holds at
least three plausible wrong answers, each with the words its "Not yet" message must contain, among
them at least three by an outsider who saw only the exercise's text; ``RIGHT_ANSWERS``, unusual
right ones the check must accept; and ``SKELETON_REASONS`` for the untouched exercise cell (the
tests find every lesson with a solution file and fail until its corpus exists). Check the idea
with inputs the text does not show (a stand-in activity, other class names, other signal names),
so an answer cannot pass by matching the expected values; run such variants together
(:func:`run_exercises`).

Solutions appear only when the learner asks: ``solution_button`` shows a "Show solution" button
(Run All shows the button, never the code); after a click it shows the code and a "Use this
solution" button that writes it as the exercise's module in one step. Typing ``%solution lessonNN``
in a cell still puts the solution's text into that cell and runs it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import html
import importlib
import inspect
import shutil
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.worker import Worker

from .devserver import state_dir
from .errors import WorkflowTaskFailedError, explain
from .learner import learner_id, scoped
from .results import worth_waiting_for
from .shell import ipython_shell

SOLUTIONS_PACKAGE = "temporal_notebooks.exercises.solutions"
T = TypeVar("T")
# A check's run still at work when its timeout ends gets this much more, looked at this often.
BUSY_EXTRA_S = 45.0
BUSY_RECHECK_S = 2.0


def workspace() -> Path:
    """The learner's module folder, on ``sys.path``."""
    path = state_dir() / "workspace" / learner_id()
    path.mkdir(parents=True, exist_ok=True)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    return path


def write_module(name: str, source: str) -> ModuleType:
    """Write ``source`` to ``<workspace>/<name>.py`` and (re)import it."""
    if not name.isidentifier():
        raise ValueError(f"'{name}' is not a valid module name: use letters, digits and _")
    folder = workspace()
    (folder / f"{name}.py").write_text(source)
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)  # same size + same second = stale
    importlib.invalidate_caches()
    sys.modules.pop(name, None)
    return importlib.import_module(name)


def _import_into_notebook(name: str, source: str) -> list[str]:
    """Write and import module ``name``; its public names join the notebook. Its own definitions."""
    module = write_module(name, source)
    public = {k: v for k, v in vars(module).items() if not k.startswith("_")}
    with contextlib.suppress(ImportError):
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.user_ns.update(public)
    return [k for k, v in public.items() if getattr(v, "__module__", None) == name]


def module_file(line: str, cell: str) -> None:
    """``%%module_file name``: the cell becomes module ``name``; its public names join the notebook."""
    name = line.strip()
    defined = _import_into_notebook(name, cell)
    print(f"Module '{name}' written and imported: {', '.join(defined) or 'no definitions'}")


def solution_source(name: str) -> str:
    """The text of a lesson's solution (``lib/temporal_notebooks/exercises/solutions/<name>.py``)."""
    return resources.files(SOLUTIONS_PACKAGE).joinpath(f"{name}.py").read_text()


def solution_module(name: str) -> tuple[str, str]:
    """(module name, module text) of a ``%%module_file`` solution, e.g. ("exercise01", "from ...")."""
    first, _, body = solution_source(name).partition("\n")
    if not first.startswith("%%module_file "):
        raise ValueError(f"solution {name} does not start with a %%module_file line")
    return first.split()[1], body


def exercise_lessons() -> list[str]:
    """The lessons with an exercise, e.g. ["01", "02", ...]: those with a solution file."""
    names = [f.name for f in resources.files(SOLUTIONS_PACKAGE).iterdir() if f.name.startswith("lesson")]
    return sorted(name.removeprefix("lesson").removesuffix(".py") for name in names if name.endswith(".py"))


def apply_solution(name: str) -> str:
    """Write solution ``name`` as its exercise module (what running the solved exercise cell does)."""
    module, body = solution_module(name)
    defined = _import_into_notebook(module, body)
    return (
        f"module '{module}' now holds the solution ({', '.join(defined)}): run the check cell again. "
        "Your exercise cell is unchanged: running it writes your own code back."
    )


def solution(line: str) -> None:
    """``%solution name``, typed by the learner: put the solution into this cell and run it."""
    from IPython import get_ipython

    shell = get_ipython()
    source = solution_source(line.strip())
    shell.set_next_input(source, replace=True)
    result = shell.run_cell(source, store_history=False)
    result.raise_error()


def _highlighted(source: str) -> str:
    """The solution as HTML: the magic line plain, the Python highlighted with inline styles."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    first, _, body = source.partition("\n")
    code = highlight(body, PythonLexer(), HtmlFormatter(noclasses=True, nobackground=True))
    return f"<pre style='margin:0'>{html.escape(first)}</pre>{code}"


def solution_button(name: str) -> Any:
    """The solution cell's widget: nothing of the solution until the learner clicks "Show solution"
    (Run All only displays the button); then the code, and "Use this solution" to apply it."""
    import ipywidgets as widgets

    solution_module(name)  # a wrong name fails here, when the cell runs, not at the learner's click
    show = widgets.Button(description="Show solution", icon="eye", tooltip="Reveal the solution")
    use = widgets.Button(
        description="Use this solution",
        icon="check",
        tooltip="Write it as the exercise's module, as running the solved exercise cell would",
        layout=widgets.Layout(display="none"),
    )
    code = widgets.HTML()
    status = widgets.HTML()

    def reveal(_: Any) -> None:
        code.value = _highlighted(solution_source(name)) + (
            f"<p>To get it as text in a cell instead, type <code>%solution {html.escape(name)}</code> "
            "in an empty cell and run it.</p>"
        )
        show.layout.display = "none"
        use.layout.display = None

    def use_it(_: Any) -> None:
        try:
            status.value = f"<p style='color:#1a7f37'>✓ {html.escape(apply_solution(name))}</p>"
        except Exception as exc:  # shown in the widget: a callback's exception would be lost
            status.value = f"<p style='color:#cf222e'>Could not apply it: {html.escape(str(exc))}</p>"

    show.on_click(reveal)
    use.on_click(use_it)
    box = widgets.VBox([show, code, use, status])
    box.add_class("tn-solution")  # classes for the browser tests
    show.add_class("tn-solution-show")
    code.add_class("tn-solution-code")
    use.add_class("tn-solution-use")
    status.add_class("tn-solution-status")
    box.show_button, box.use_button, box.code, box.status = show, use, code, status
    return box


class CheckResult:
    """What a check cell shows: pass, or what is still wrong. Never raises, so Run All goes on."""

    def __init__(self, passed: bool, message: str) -> None:
        self.passed, self.message = passed, message

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return ("✅ Passed: " if self.passed else "❌ Not yet: ") + self.message

    def _repr_html_(self) -> str:
        colour, word = ("#1a7f37", "✅ Passed") if self.passed else ("#cf222e", "❌ Not yet")
        return f"<p style='color:{colour}'><b>{word}:</b> {html.escape(self.message)}</p>"


def passed(message: str) -> CheckResult:
    return CheckResult(True, message)


def not_yet(message: str) -> CheckResult:
    return CheckResult(False, message)


def register_magics() -> bool:
    """Make ``%%module_file`` and ``%solution`` available in this IPython session."""
    shell = ipython_shell()
    if shell is None:
        return False
    shell.register_magic_function(module_file, "cell", "module_file")
    shell.register_magic_function(solution, "line", "solution")
    return True


@contextlib.asynccontextmanager
async def short_lived_worker(
    client: Client,
    task_queue: str,
    *,
    workflows: Sequence[type],
    activities: Sequence[Callable] = (),
    **options: Any,
) -> AsyncIterator[Worker]:
    """A worker for one check or smoke run: a thread pool for sync activities; it shuts down (and
    frees the pool) when the block ends. ``options`` go to ``Worker`` (e.g. ``max_cached_workflows=0``:
    every task replays the run from its history, as after a worker restart)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=list(workflows),
            activities=list(activities),
            activity_executor=executor,
            **options,
        ) as worker:
            yield worker


@dataclass
class ExerciseRun:
    """One run of the learner's workflow: its result or what it raised, and its history."""

    result: Any = None
    error: BaseException | None = None
    history: WorkflowHistory | None = None
    events: list = field(default_factory=list)

    def of_type(self, event_type: int) -> list:
        return [e for e in self.events if e.event_type == event_type]

    @property
    def activity_types(self) -> list[str]:
        """The activity type names the run scheduled, in order."""
        return [
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in self.of_type(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        ]


async def run_exercise(
    client: Client,
    workflow_class: type,
    *args: Any,
    activities: Sequence[Callable] = (),
    timeout_s: float = 20.0,
) -> ExerciseRun:
    """Run the learner's workflow once on a short-lived worker of its own; never raises for what
    the run did. A run still open at the end (``TimeoutError``) is terminated after its history
    is read, so a failing check leaves nothing running on the server."""
    return (
        await run_exercises(client, [(workflow_class, args)], activities=activities, timeout_s=timeout_s)
    )[0]


async def run_exercises(
    client: Client,
    runs: Sequence[tuple[type, Sequence[Any]]],
    *,
    activities: Sequence[Callable] = (),
    timeout_s: float = 40.0,
) -> list[ExerciseRun]:
    """:func:`run_exercise` for several ``(workflow class, args)`` runs at once, on one worker
    (a check that tries many inputs pays for one worker, and its runs overlap). The runs share the
    worker, so each may take longer than alone: 20 s was once too short on a busy 2-core machine."""
    classes = list({cls: None for cls, _ in runs})
    task_queue = scoped(f"check-{uuid.uuid4().hex[:8]}")
    try:  # a worker that refuses the learner's code (e.g. the sandbox's validation) is a "not yet" too
        async with short_lived_worker(client, task_queue, workflows=classes, activities=activities):
            return list(
                await asyncio.gather(
                    *(_run_once(client, task_queue, cls, args, timeout_s) for cls, args in runs)
                )
            )
    except Exception as exc:
        return [ExerciseRun(error=exc) for _ in runs]


async def _run_once(
    client: Client, task_queue: str, workflow_class: type, args: Sequence[Any], timeout_s: float
) -> ExerciseRun:
    run = ExerciseRun()
    try:
        handle = await client.start_workflow(
            workflow_type_name(workflow_class),
            args=list(args),
            id=scoped(f"check-{uuid.uuid4().hex[:8]}"),
            task_queue=task_queue,
        )
    except Exception as exc:
        run.error = exc
        return run
    try:
        run.result = await result_in_time(handle, timeout_s)
    except Exception as exc:
        run.error = exc
    finally:
        with contextlib.suppress(Exception):
            run.history = await handle.fetch_history()
            run.events = list(run.history.events)
        with contextlib.suppress(Exception):
            await handle.terminate("exercise check finished")
    return run


async def result_in_time(handle: WorkflowHandle, timeout_s: float) -> Any:
    """``handle.result()`` by :func:`answer_in_time`."""
    return await answer_in_time(handle, handle.result(), timeout_s)


async def answer_in_time(
    handle: WorkflowHandle, answer: Awaitable[T], timeout_s: float, busy_s: float = BUSY_EXTRA_S
) -> T:
    """``answer`` (the run's result, an update's), or :class:`TimeoutError` when it has not come in
    ``timeout_s``, unless the run is still worth waiting for then (:func:`worth_waiting_for`): that is
    a slow machine, not a wrong answer, so it gets up to ``busy_s`` more while it stays so. A full test
    run once took a check's run past its first timeout; a run that waits for something that never
    comes, or whose code fails, is still told after ``timeout_s``."""
    waiting = asyncio.ensure_future(answer)
    try:
        done, _ = await asyncio.wait({waiting}, timeout=timeout_s)
        deadline = time.monotonic() + busy_s
        while not done and time.monotonic() < deadline and await worth_waiting_for(handle):
            done, _ = await asyncio.wait({waiting}, timeout=min(BUSY_RECHECK_S, deadline - time.monotonic()))
        if not done:
            raise TimeoutError(f"no answer in {timeout_s:.0f} s")
        return waiting.result()
    finally:
        waiting.cancel()


async def run_exercise_workflow(
    client: Client,
    workflow_class: type,
    *args: Any,
    activities: Sequence[Callable] = (),
    timeout_s: float = 20.0,
) -> Any:
    """:func:`run_exercise`, for a check that needs only the result: raises what the run raised."""
    run = await run_exercise(client, workflow_class, *args, activities=activities, timeout_s=timeout_s)
    if run.error is not None:
        raise run.error
    return run.result


def failure_text(exc: BaseException) -> str:
    """What a failed run says, in one line (a check adds what to change)."""
    if isinstance(exc, TimeoutError):
        return "it gave no result in time: is it still waiting, or is its workflow task failing?"
    if isinstance(exc, WorkflowTaskFailedError):  # the worker-cell advice of explain() does not apply here
        where = f" ({exc.line})" if getattr(exc, "line", None) else ""
        return f"the workflow code raised: {getattr(exc, 'cause_message', exc)}{where}."
    return explain(exc) or str(exc) or type(exc).__name__


def workflow_type_name(workflow_class: type) -> str:
    """The type name a worker registers for ``workflow_class`` (the class name unless ``name=``)."""
    definition = workflow._Definition.from_class(workflow_class)
    if definition is None or definition.name is None:
        raise ValueError(f"{workflow_class.__name__} is not a @workflow.defn class")
    return definition.name


def learner_workflow(module_name: str, type_name: str) -> type | CheckResult:
    """The learner's ``@workflow.defn`` class registered as ``type_name`` in ``module_name``, or a
    "not yet" that says what is missing (the module cell not run yet, or no such class)."""
    module = sys.modules.get(module_name)
    if module is None:
        return not_yet(f"run the %%module_file {module_name} cell first.")
    registered: dict[str, str] = {}
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "__module__", None) == module_name:
            with contextlib.suppress(ValueError):
                registered[value.__name__] = workflow_type_name(value)
                if registered[value.__name__] == type_name:
                    return value
    found = "; ".join(f"{cls} is registered as '{name}'" for cls, name in registered.items())
    return not_yet(
        f'no @workflow.defn class with name="{type_name}" in module {module_name}'
        + (f' ({found}): set @workflow.defn(name="{type_name}").' if found else ".")
    )


def state_changed_by(handler: Callable, workflow_class: type, state: dict[str, Any], *args: Any) -> list[str]:
    """The attributes ``handler`` (a query or an update validator, unbound) changes when called on a
    fresh ``workflow_class()`` whose attributes ``state`` sets. Such handlers must only read: a query
    or a validator never runs again on replay, so a change it made is lost when a worker restarts.
    ``[]`` also when the instance cannot be made or copied outside a worker (nothing can be said)."""
    try:
        instance = workflow_class()
        vars(instance).update(state)
        before = copy.deepcopy(vars(instance))
    except Exception:
        return []
    with contextlib.suppress(Exception):  # a validator raises to reject; outside a worker, workflow.* raises
        handler(instance, *args)
    after = vars(instance)
    missing = object()
    return sorted(k for k in before.keys() | after.keys() if before.get(k, missing) != after.get(k, missing))


def show_code(obj: Any) -> Any:
    """A module's, class's or function's source, highlighted (lessons show their package code)."""
    from IPython.display import Code

    from .shell import retry_ast_race

    return Code(retry_ast_race(inspect.getsource, obj), language="python")
