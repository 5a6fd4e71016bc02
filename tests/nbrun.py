"""Running the real notebooks in a real Jupyter kernel, the two ways a learner does.

``execute_twice`` runs every cell top to bottom and then again in the same kernel (a learner
re-running cells). ``run_all_queued`` sends every cell's execute request at once, as JupyterLab's
Run All does: a sequential runner hides hangs that only queued requests show (see facts.md).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat
from kernel import CellResult, Kernel, kernel_manager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT_S = 120
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # the page shows colours, not these codes


def notebook_path(name: str) -> Path:
    """A lesson by its catalog number ("01", "01b"), else a notebook by the start of its name."""
    from temporal_notebooks.classroom.catalog import lesson_by_number

    lesson = lesson_by_number(name)
    if lesson is not None:
        return NOTEBOOKS / lesson.notebook
    matches = sorted(NOTEBOOKS.glob(f"{name}*.ipynb"))
    assert matches, f"no notebook named {name}* in {NOTEBOOKS}"
    return matches[0]


def output_text(nb: nbformat.NotebookNode) -> str:
    """Everything a learner would read in the outputs: streams, text, HTML, errors."""
    parts: list[str] = []
    for cell in nb.cells:
        previous_stream = None
        for output in cell.get("outputs", []):
            stream = output.get("name") if output.get("output_type") == "stream" else None
            if stream is not None and stream == previous_stream:
                # One print can reach the notebook as two stream messages (the kernel flushed between
                # its writes); the page shows them as one text, and so does this.
                parts[-1] += output.get("text", "")
            elif stream is not None:
                parts.append(output.get("text", ""))
            elif output.get("output_type") == "error":
                parts.append(f"{output.get('ename')}: {output.get('evalue')}")
            else:
                data = output.get("data", {})
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in data:
                        parts.append(data[mime] if isinstance(data[mime], str) else json.dumps(data[mime]))
            previous_stream = stream
    return ANSI_COLOUR.sub("", "\n".join(parts))


def errors(nb: nbformat.NotebookNode) -> list[str]:
    return [
        f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
        for i, cell in enumerate(nb.cells)
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]


async def execute_twice(name: str, *, passes: int = 2) -> list[nbformat.NotebookNode]:
    """Execute the notebook top to bottom ``passes`` times in one kernel; one copy per pass."""
    path = notebook_path(name)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        km=kernel_manager(),
        resources={"metadata": {"path": str(path.parent)}},
    )
    results = []
    async with client.async_setup_kernel():
        for _ in range(passes):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    cell.outputs = []
                await client.async_execute_cell(cell, index)
            results.append(copy.deepcopy(nb))
    return results


async def run_all_queued(name: str, timeout_s: float = 300) -> list[dict]:
    """Send every code cell's execute request at once; return every execute reply's content."""
    path = notebook_path(name)
    nb = nbformat.read(path, as_version=4)
    return await run_queued([cell.source for cell in nb.cells if cell.cell_type == "code"], timeout_s)


async def run_queued(sources: list[str], timeout_s: float = 300) -> list[dict]:
    """Send an execute request per source at once, in a fresh kernel; every reply's content, in order."""
    manager = kernel_manager()
    await manager.start_kernel(cwd=str(NOTEBOOKS))
    kc = manager.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        ids = [kc.execute(source) for source in sources]
        replies: dict[str, dict] = {}

        async def collect() -> None:
            while len(replies) < len(ids):
                msg = await kc.get_shell_msg(timeout=timeout_s)
                parent = msg["parent_header"].get("msg_id")
                if parent in ids:
                    replies[parent] = msg["content"]

        await asyncio.wait_for(collect(), timeout_s)
        return [replies[i] for i in ids]
    finally:
        kc.stop_channels()
        await manager.shutdown_kernel(now=False)


def solution_text(lesson: str) -> str:
    """A solution's code without its leading cell magic line (to write it as a module directly)."""
    from temporal_notebooks.runtime.exercises import solution_module

    return solution_module(lesson)[1]


def revealing_lines(name: str) -> list[str]:
    """Lines of notebook ``name``'s exercise solution that neither its cells nor the lesson code it
    may show contain: any of them in the outputs means the solution was shown."""
    from temporal_notebooks.runtime.exercises import solution_source

    nb = nbformat.read(notebook_path(name), as_version=4)
    lesson_code = NOTEBOOKS.parent / "lib" / "temporal_notebooks"
    shown_code = [
        f.read_text()
        for part in ("workflows", "activities", "apps")
        for f in (lesson_code / part).rglob("*.py")
    ]
    sources = "\n".join([cell.source for cell in nb.cells] + shown_code)  # what show_code(...) may show
    lesson = next(c.source.split('"')[1] for c in nb.cells if c.source.startswith("solution_button("))
    lines = {line.strip() for line in solution_source(lesson).splitlines() if len(line.strip()) >= 12}
    revealing = sorted(line for line in lines if line not in sources)
    assert revealing, f"notebook {name}'s cells already hold its solution"
    return revealing


async def passes_with_key_outputs(
    name: str, key_outputs: Sequence[str]
) -> list[tuple[int, str, nbformat.NotebookNode]]:
    """Execute ``name`` twice in one kernel and check each pass as every lesson's test does: no error,
    every key output, no solution shown. Returns (pass number, output text, notebook) per pass, for
    the lesson's own checks."""
    started = time.perf_counter()
    passes = await execute_twice(name)
    print(f"notebook {name}, two passes in one kernel: {time.perf_counter() - started:.1f} s")
    checked = []
    for number, nb in enumerate(passes, 1):
        assert errors(nb) == [], f"pass {number}"
        text = output_text(nb)
        missing = [expected for expected in key_outputs if expected not in text]
        if missing:  # pytest shows this with the failure: what the pass printed instead
            print(f"--- notebook {name}, pass {number}: everything it printed ---\n{text}")
        assert missing == [], f"pass {number}: missing {missing}"
        assert_no_solution_shown(name, nb)
        checked.append((number, text, nb))
    return checked


def assert_no_solution_shown(name: str, nb: nbformat.NotebookNode) -> None:
    """Run All shows the exercise's "Not yet" and the solution button, never the solution."""
    text = output_text(nb)
    # A check's "Not yet" may name the fix (e.g. the decorator to use); the rest must not show the solution.
    not_checks = "\n".join(line for line in text.splitlines() if "Not yet:" not in line)
    shown = [line for line in revealing_lines(name) if line in not_checks]
    assert shown == [], f"notebook {name}: Run All showed solution lines {shown}"
    assert "✅ Passed" not in text, f"notebook {name}: an exercise check passed under Run All"
    assert "❌ Not yet: " in text, f"notebook {name}: no check said what is still missing"
    button = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("solution_button("))
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in button.outputs)


async def assert_run_all_queued_ok(name: str) -> None:
    """Every cell's reply ok when all are queued at once, as JupyterLab's Run All sends them; and no
    cell replaced itself (a ``set_next_input`` payload is how a cell puts a solution into itself)."""
    replies = await run_all_queued(name)
    failed = [(i, r.get("ename"), r.get("evalue")) for i, r in enumerate(replies) if r["status"] != "ok"]
    assert failed == [], f"notebook {name}: cells that did not reply ok: {failed}"
    rewrites = [
        i for i, r in enumerate(replies) for p in r.get("payload", []) if p.get("source") == "set_next_input"
    ]
    assert rewrites == [], f"notebook {name}: cells that rewrote themselves under Run All: {rewrites}"


def exercise_source(name: str, module: str) -> str:
    """The exercise skeleton exactly as notebook ``name`` gives it, without its ``%%module_file`` line."""
    nb = nbformat.read(notebook_path(name), as_version=4)
    source = next(c.source for c in nb.cells if c.source.startswith(f"%%module_file {module}"))
    return source.split("\n", 1)[1]


# --- A learner's pace: one cell at a time, a pause after each, the core path alone ---------------------

OPTIONAL_MARK = "(optional)"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)


@dataclasses.dataclass
class PacedCell:
    """One code cell as the paced runner sent it, and what the kernel answered."""

    index: int  # the cell's index in the notebook (markdown cells counted)
    source: str
    result: CellResult
    seconds: float  # from sending the cell to its reply: what the learner waits for
    run: int = 1  # 2 for the cell's second run in a row

    def __str__(self) -> str:
        first = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"cell {self.index} ({first[:60]}): {self.result.status}\n{self.result}"


def core_path_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indexes of the code cells a learner on the core path runs: every code cell except those under
    a heading marked *(optional)*, up to the next heading of the same or a higher level."""
    skipping_below: int | None = None  # the level of the optional heading being skipped
    kept = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for hashes, title in HEADING.findall(cell.source):
                level = len(hashes)
                if skipping_below is not None and level <= skipping_below:
                    skipping_below = None
                if skipping_below is None and OPTIONAL_MARK in title:
                    skipping_below = level
        elif cell.cell_type == "code" and skipping_below is None:
            kept.append(index)
    return kept


async def run_at_pace(
    name: str,
    pause_after: Callable[[str], float],
    *,
    core_path: bool = False,
    repeat: int = 1,
    env: dict[str, str] | None = None,
) -> list[PacedCell]:
    """Run notebook ``name`` as a learner does: each code cell sent alone to a fresh kernel, its reply
    awaited, then ``pause_after(source)`` seconds of reading before the next. ``core_path`` skips the
    *(optional)* sections; ``repeat`` runs each cell that many times in a row (a learner pressing
    Shift+Enter twice). Stops at the first cell whose first run fails (the last one returned); a
    repeated run that fails is returned and the notebook goes on."""
    nb = nbformat.read(notebook_path(name), as_version=4)
    indexes = (
        core_path_cells(nb)
        if core_path
        else [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    )
    ran: list[PacedCell] = []
    # A learner id of its own: its workflow ids cannot meet another test's run of the same lesson.
    learner = {"TEMPORAL_NOTEBOOKS_LEARNER": f"pace-{uuid.uuid4().hex[:8]}"}
    async with Kernel({**learner, **(env or {})}) as kernel:
        for index in indexes:
            source = nb.cells[index].source
            for run in range(repeat):
                started = time.perf_counter()
                result = await kernel.run(source, timeout=CELL_TIMEOUT_S)
                ran.append(PacedCell(index, source, result, time.perf_counter() - started, run + 1))
                if result.status != "ok" and run == 0:
                    return ran
            await asyncio.sleep(pause_after(source))
    return ran


def paced_failures(ran: list[PacedCell]) -> list[str]:
    """Each cell that did not reply ok, or that showed an error output, as one readable entry."""
    return [str(cell) for cell in ran if cell.result.status != "ok" or cell.result.error]
