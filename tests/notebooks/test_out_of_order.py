"""Cells run out of order, in a real kernel: a cell run before the one it needs says, in one line, which
cell (in which section) to run first; and running every cell twice in a row changes nothing for the
cells after it. On the lessons with the most state between cells: 06, 08 and 10.

Which cells fail, and which section defines their missing name, is worked out here from the notebook
itself (its headings and what each cell assigns), not from the kernel's answer."""

from __future__ import annotations

import ast
import builtins
import sys
from pathlib import Path

import nbformat
import pytest
from kernel import Kernel
from nbrun import HEADING, notebook_path, paced_failures, run_at_pace

from temporal_notebooks.classroom.catalog import LESSONS as CATALOG

LESSONS = ["06", "08", "10"]
DECLARATIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def assigned(node: ast.AST) -> set[str]:
    """Names a statement binds: assignments, definitions, imports (a star import of the notebook
    module binds its ``__all__``)."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            names.add(inner.id)
        elif isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(inner.name)
        elif isinstance(inner, ast.Global):
            names.update(inner.names)
        elif isinstance(inner, ast.Import | ast.ImportFrom):
            for alias in inner.names:
                if alias.name == "*":
                    import temporal_notebooks.notebook as star

                    names.update(star.__all__)
                else:
                    names.add((alias.asname or alias.name).split(".")[0])
    return names


def parse(source: str) -> ast.Module | None:
    if source.lstrip().startswith("%%"):
        return None
    return ast.parse("\n".join("" if line.lstrip().startswith("%") else line for line in source.splitlines()))


def too_early_cells(name: str) -> list[tuple[str, set[str], dict[str, str]]]:
    """Each code cell (after the first) whose first statement that runs anything loads a name only an
    earlier cell defines, run right after the first cell: (source, the names it may miss first, for
    each such name the heading of the nearest earlier cell that defines it)."""
    nb = nbformat.read(notebook_path(name), as_version=4)
    defined_by: dict[str, str] = {}  # name: the heading of the last cell so far that defines it
    section = ""
    first_cell: set[str] = set()
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            section = (HEADING.findall(cell.source) or [("", section)])[-1][1]
            continue
        tree = parse(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if not first_cell:
            first_cell = assigned(tree) | {"In", "Out", "get_ipython", "display"}
            continue
        bound = set(first_cell)
        for statement in tree.body:
            if isinstance(statement, DECLARATIONS):
                bound |= assigned(statement)
                continue
            loads = {
                n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            missing = loads - bound - set(dir(builtins)) - assigned(statement)
            if missing and missing <= defined_by.keys():
                found.append((cell.source, missing, {m: defined_by[m] for m in missing}))
            break
        for defined in assigned(tree):
            defined_by[defined] = section.replace("*(optional)*", "(optional)").strip()
    return found


@pytest.mark.parametrize("name", LESSONS)
async def test_a_cell_run_too_early_names_the_cell_to_run_first(name: str) -> None:
    cells = too_early_cells(name)
    assert len(cells) >= 3, f"lesson {name}: too few cells to try out of order"
    first = next(
        c.source for c in nbformat.read(notebook_path(name), as_version=4).cells if c.cell_type == "code"
    )
    async with Kernel() as kernel:
        await kernel.ok(first)
        for source, missing, sections in reversed(cells):  # the last cells first: the furthest jump
            result = await kernel.run(source)
            assert result.status == "error", f"ran without its earlier cells:\n{source}"
            lines = [line for line in result.text.splitlines() if line.strip()]
            assert len(lines) == 1, f"not one line:\n{result.text}"
            (line,) = lines
            named = [m for m in missing if f"'{m}' is not defined yet" in line]
            assert named, f"{line!r} does not name any of {missing}"
            assert f'under "{sections[named[0]]}"' in line, (line, sections[named[0]])
            assert "Run that cell first" in line
        # A name missing in a library's code is no cell's fault: Python's own traceback, untouched.
        missing = next(iter(cells[-1][1]))
        library = await kernel.run(f"exec(compile({missing!r}, 'library.py', 'exec'), {{}})")
        assert library.status == "error" and "is not defined yet" not in library.text, library
        assert "Traceback" in library.text, library


def first_cell_and_the_next_that_needs_it(name: str) -> tuple[str, str, set[str], str]:
    """The lesson's first code cell, its section, the names it binds, and the next cell that loads one."""
    nb = nbformat.read(notebook_path(name), as_version=4)
    section, first = "", None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            section = (HEADING.findall(cell.source) or [("", section)])[-1][1] if first is None else section
            continue
        tree = parse(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if first is None:
            first, names, first_section = cell.source, assigned(tree), section
            continue
        loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if loads & names - assigned(tree):
            return first, first_section.replace("*(optional)*", "(optional)").strip(), names, cell.source
    raise AssertionError(f"lesson {name}: no cell needs the first one")


@pytest.mark.parametrize("name", [lesson.number for lesson in CATALOG] + ["instructor"])
async def test_a_cell_run_before_the_first_cell_names_the_first_cell(name: str) -> None:
    """Open the lesson, run a cell from its middle first: one line names the first cell, before any
    of the collection's code has run (the kernel extension the set-up installs)."""
    config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.json"
    assert config.is_file(), f"{config} is missing: `make test` installs it (the kernel extension's set-up)"
    first, section, names, too_early = first_cell_and_the_next_that_needs_it(name)
    async with Kernel() as kernel:
        result = await kernel.run(too_early)
        assert result.status == "error", f"ran before the first cell:\n{too_early}"
        lines = [line for line in result.text.splitlines() if line.strip()]
        assert len(lines) == 1, f"not one line:\n{result.text}"
        (line,) = lines
        assert any(f"'{n}' is not defined yet" in line for n in names), (line, names)
        assert f'under "{section}"' in line and "Run that cell first" in line, (line, section)
        # The advice works: the first cell, then the same cell again.
        await kernel.ok(first)
        again = await kernel.run(too_early)
        assert not any(f"'{n}' is not defined" in again.text for n in names), again


@pytest.mark.parametrize("name", LESSONS)
async def test_running_every_cell_twice_changes_nothing_after_it(name: str) -> None:
    ran = await run_at_pace(name, lambda _: 0.2, repeat=2)
    first_runs = [cell for cell in ran if cell.run == 1]
    assert paced_failures(first_runs) == [], f"lesson {name}, every cell run twice in a row"
    # A second run may be refused (a signal to a run the first one closed): one line says why, no traceback.
    for cell in ran:
        if cell.run == 2 and cell.result.status != "ok":
            assert "Traceback" not in cell.result.text, cell
            assert "already closed" in cell.result.text.splitlines()[-1], cell
    check = [cell for cell in ran if ".check(client)" in cell.source]
    assert check and all("Not yet" in cell.result.text for cell in check), check
