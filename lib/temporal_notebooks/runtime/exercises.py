"""Exercises: learner code in cells that a sandboxed worker can run, check cells, one-cell solutions.

The workflow sandbox re-imports a workflow's module from its file for every run; a class defined in
a cell lives in ``__main__``, which has no file, so the worker refuses it. ``%%module_file name``
writes the cell to ``<workspace>/name.py``, imports it, and puts its names in the notebook, so
the learner's workflow runs with the sandbox on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import html
import importlib
import inspect
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from .devserver import state_dir
from .learner import learner_id, scoped

SOLUTIONS_PACKAGE = "temporal_notebooks.exercises.solutions"


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


def module_file(line: str, cell: str) -> None:
    """``%%module_file name``: the cell becomes module ``name``; its public names join the notebook."""
    from IPython import get_ipython

    name = line.strip()
    module = write_module(name, cell)
    public = {k: v for k, v in vars(module).items() if not k.startswith("_")}
    get_ipython().user_ns.update(public)
    defined = [k for k, v in public.items() if getattr(v, "__module__", None) == name]
    print(f"Module '{name}' written and imported: {', '.join(defined) or 'no definitions'}")


def solution_source(name: str) -> str:
    """The text of a lesson's solution (``lib/temporal_notebooks/exercises/solutions/<name>.py``)."""
    return resources.files(SOLUTIONS_PACKAGE).joinpath(f"{name}.py").read_text()


def solution(line: str) -> None:
    """``%solution name``: put the solution into this cell and run it."""
    from IPython import get_ipython

    shell = get_ipython()
    source = solution_source(line.strip())
    shell.set_next_input(source, replace=True)
    result = shell.run_cell(source, store_history=False)
    result.raise_error()


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
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.register_magic_function(module_file, "cell", "module_file")
    shell.register_magic_function(solution, "line", "solution")
    return True


@contextlib.asynccontextmanager
async def short_lived_worker(
    client: Client, task_queue: str, *, workflows: Sequence[type], activities: Sequence[Callable] = ()
) -> AsyncIterator[Worker]:
    """A worker for one check or smoke run: a thread pool for sync activities; it shuts down (and
    frees the pool) when the block ends."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=list(workflows),
            activities=list(activities),
            activity_executor=executor,
        ) as worker:
            yield worker


async def run_exercise_workflow(
    client: Client,
    workflow_class: type,
    *args: Any,
    activities: Sequence[Callable] = (),
    timeout_s: float = 20.0,
) -> Any:
    """Run the learner's workflow once on a short-lived worker of its own and return its result.

    Raises what the run raised (a check turns it into "not yet"); a run still open at the end is
    terminated, so a failing check leaves nothing running on the server.
    """
    type_name = workflow_type_name(workflow_class)
    task_queue = scoped(f"check-{type_name}")
    async with short_lived_worker(client, task_queue, workflows=[workflow_class], activities=activities):
        handle = await client.start_workflow(
            type_name, args=list(args), id=scoped(f"check-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        try:
            return await asyncio.wait_for(handle.result(), timeout_s)
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")


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
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "__module__", None) == module_name:
            with contextlib.suppress(ValueError):
                if workflow_type_name(value) == type_name:
                    return value
    return not_yet(f'no @workflow.defn class with name="{type_name}" in module {module_name}.')


def show_code(obj: Any) -> Any:
    """A module's, class's or function's source, highlighted (lessons show their package code)."""
    from IPython.display import Code

    return Code(inspect.getsource(obj), language="python")
