"""Exercises: learner code in cells that a sandboxed worker can run, check cells, one-cell solutions.

The workflow sandbox re-imports a workflow's module from its file for every run; a class defined in
a cell lives in ``__main__``, which has no file, so the worker refuses it. ``%%module_file name``
writes the cell to ``<workspace>/name.py``, imports it, and puts its names in the notebook, so
the learner's workflow runs with the sandbox on.
"""

from __future__ import annotations

import html
import importlib
import shutil
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

from .devserver import state_dir
from .learner import learner_id

SOLUTIONS_PACKAGE = "temporal_notebooks.solutions"


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
    """The text of a lesson's solution (``lib/temporal_notebooks/solutions/<name>.py``)."""
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
