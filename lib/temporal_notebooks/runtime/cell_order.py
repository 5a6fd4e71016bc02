"""Cells run out of order: a ``NameError`` in a lesson names the cell to run first, in one line.

A learner who skips a cell, or runs one before the cell it needs, gets a bare ``NameError`` from
Python. The kernel can do better: it reads the notebook it runs, finds the code cell that defines
the missing name (the nearest one above the failing cell), and says which section it is in and how it
begins. The kernel learns its notebook from ``__session__`` (JupyterLab sets it, through
``JPY_SESSION_NAME``); where that is missing (nbclient, a plain kernel), it is the notebook in the
kernel's folder whose code cells the kernel has run.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

from .shell import ipython_shell

HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$", re.M)
OPTIONAL = "*(optional)*"


@dataclasses.dataclass(frozen=True)
class CodeCell:
    index: int  # in the notebook, markdown cells counted
    source: str
    section: str  # the heading above the cell ("" before the first heading)


def _cells(path: Path) -> list[CodeCell]:
    """The notebook's code cells, each with the heading it is under."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    section = ""
    code = []
    for index, cell in enumerate(cells):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            headings = HEADING.findall(source)
            section = headings[-1] if headings else section
        elif cell.get("cell_type") == "code":
            code.append(CodeCell(index, source, section))
    return code


def _cells_run(shell: Any) -> list[str]:
    """The sources of the cells this kernel has run, the running one last."""
    return [cell.strip() for cell in shell.user_ns.get("In", []) if isinstance(cell, str) and cell.strip()]


def running_notebook(shell: Any) -> Path | None:
    """The notebook this kernel runs: JupyterLab's session path, else the notebook of this folder that
    holds most of the cells run so far."""
    session = shell.user_ns.get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if session:
        for candidate in (Path(session), Path.cwd() / Path(session).name):
            if candidate.suffix == ".ipynb" and candidate.is_file():
                return candidate
    ran = set(_cells_run(shell))
    best, best_count = None, 0
    for path in sorted(Path.cwd().glob("*.ipynb")):
        count = sum(cell.source.strip() in ran for cell in _cells(path))
        if count > best_count:
            best, best_count = path, count
    return best


class _Bindings(ast.NodeVisitor):
    """The names a cell binds in the notebook's namespace."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}  # name: the line of the statement that binds it first
        self.line = 0

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt) and node.col_offset == 0:
            self.line = node.lineno
        super().visit(node)

    def bind(self, *names: str) -> None:
        for name in names:
            self.names.setdefault(name, self.line)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.bind(node.id)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.bind(node.name)
        for inner in ast.walk(node):  # a function that assigns a global binds it when it runs
            if isinstance(inner, ast.Global):
                self.bind(*inner.names)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass  # its parameters are its own

    def visit_comprehension(self, node: ast.comprehension) -> None:
        for part in (node.iter, *node.ifs):  # its loop variable is its own
            self.visit(part)

    def visit_Import(self, node: ast.Import) -> None:
        self.bind(*((alias.asname or alias.name).split(".")[0] for alias in node.names))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.bind(*_star_names(node.module or ""))
            else:
                self.bind(alias.asname or alias.name)


def _star_names(module: str) -> list[str]:
    if not module.startswith("temporal_notebooks"):
        return []  # never import a module only to answer this
    try:
        imported = importlib.import_module(module)
    except Exception:
        return []
    return list(getattr(imported, "__all__", []))


def bound_names(source: str) -> dict[str, int]:
    """Names a code cell binds, each with the line that binds it (IPython's magic lines blanked; a
    ``%%`` cell binds none here)."""
    if source.lstrip().startswith("%%"):
        return {}
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return {}
    visitor = _Bindings()
    visitor.visit(tree)
    return visitor.names


def defining_cell(cells: list[CodeCell], name: str, running: str) -> CodeCell | None:
    """The cell that defines ``name`` for the cell with source ``running``: the nearest one above it,
    else the first one anywhere (never the running cell itself)."""
    here = next((c.index for c in cells if c.source.strip() == running), None)
    defining = [c for c in cells if c.source.strip() != running and name in bound_names(c.source)]
    above = [c for c in defining if here is not None and c.index < here]
    if above:
        return above[-1]
    return defining[0] if defining else None


def _raised_in_a_cell(shell: Any, exc: BaseException) -> bool:
    """Was the name missing in a cell's own code (not in a library's, which no cell can fix)?"""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    name_of = getattr(getattr(shell, "compile", None), "format_code_name", None)
    if tb is None or name_of is None:
        return True  # nothing to tell by: assume the cell
    return name_of(tb.tb_frame.f_code.co_filename) is not None


def run_first(exc: NameError) -> str | None:
    """One line naming the cell to run before this one, or None when no cell of the lesson defines
    the name (a typo: Python's own message says it best)."""
    name = getattr(exc, "name", None)
    shell = ipython_shell()
    if not name or shell is None or not _raised_in_a_cell(shell, exc):
        return None
    notebook = running_notebook(shell)
    if notebook is None:
        return None
    ran = _cells_run(shell)
    cell = defining_cell(_cells(notebook), name, ran[-1] if ran else "")
    if cell is None:
        return None
    line = cell.source.splitlines()[bound_names(cell.source)[name] - 1].strip()
    if len(line) > 60:
        line = line[:57] + "..."
    section = cell.section.replace(OPTIONAL, "(optional)").strip()
    where = f'the cell under "{section}" with `{line}`' if section else f"the cell with `{line}`"
    return f"'{name}' is not defined yet: it comes from {where}. Run that cell first, then this one."
