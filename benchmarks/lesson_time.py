"""How long each lesson takes a learner, core path and optional sections, from the notebooks themselves.

A learner's time is reading the prose, reading and running the code, and the exercise. This script
counts what each section of a notebook asks of the reader and adds the cells' measured run time
(one Restart & Run All in a fresh kernel, unless ``--no-run``; with ``--walk``, each cell sent alone and
awaited, as a learner runs them: the machine part of a walk at reading pace):

- prose at 180 words a minute (technical text, read once);
- code at 25 lines a minute, plus 15 s per code cell to run it and look at its output;
- the exercise section: an allowance of 8 minutes (read, edit, run the check once or twice).

A section whose heading ends in "(optional)" counts as optional; everything else is the core path.
It prints a table per lesson, the totals, and an agenda per track of the catalog (the 3-hour workshop
takes its lessons' core path, with a break; the full course takes every section), for docs/classroom.md;
``--write`` also sets each notebook's "**Time:**" line from them (rounded to whole minutes) and says
which tracks take the lesson.
Run: ``.venv/bin/python benchmarks/lesson_time.py [--no-run | --walk] [--write] [notebook ...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 180
CODE_LINES_PER_MINUTE = 25
SECONDS_PER_CODE_CELL = 15
EXERCISE_MINUTES = 8.0
BREAK_MINUTES = 10  # one break, after the lesson that ends nearest half-way
QUESTIONS_MINUTES = 10  # questions and clean-up at the end


@dataclasses.dataclass
class Section:
    title: str
    optional: bool
    minutes: float = 0.0


def _section_of(title: str) -> Section:
    optional = title.rstrip(" *_").lower().endswith("(optional)")
    return Section(title, optional, EXERCISE_MINUTES if title.lower().startswith("exercise") else 0.0)


def sections(nb: nbformat.NotebookNode, run_seconds: list[float]) -> list[Section]:
    found = [Section("introduction", optional=False)]
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    found.append(_section_of(line[3:].strip()))
            words = len(re.findall(r"\w+", re.sub(r"`[^`]*`", " x ", cell.source)))
            found[-1].minutes += words / WORDS_PER_MINUTE
        else:
            lines = [line for line in cell.source.splitlines() if line.strip()]
            found[-1].minutes += len(lines) / CODE_LINES_PER_MINUTE + SECONDS_PER_CODE_CELL / 60
            if index < len(run_seconds):
                found[-1].minutes += run_seconds[index] / 60
    return [s for s in found if s.minutes > 0]


async def run_times(path: Path) -> list[float]:
    """Seconds each cell took in one fresh-kernel run (what a learner waits for)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True)
    client.resources = {"metadata": {"path": str(path.parent)}}
    seconds: list[float] = []
    async with client.async_setup_kernel():
        for index, cell in enumerate(nb.cells):
            started = time.perf_counter()
            if cell.cell_type == "code":
                await client.async_execute_cell(cell, index)
            seconds.append(time.perf_counter() - started)
    return seconds


async def walk_times(path: Path) -> list[float]:
    """Seconds each cell took when sent alone to a kernel and awaited, as a learner runs them
    (``tests/nbrun.run_at_pace``; the reading pauses are what the estimate models, so none here)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from nbrun import run_at_pace

    nb = nbformat.read(path, as_version=4)
    seconds = [0.0] * len(nb.cells)
    for cell in await run_at_pace(path.stem.split("_")[0], lambda _: 0.0):
        seconds[cell.index] = cell.seconds
    return seconds


TIME_LINE = re.compile(r"\*\*Time:\*\* .*?(?=\*\*Prerequisites)")


def tracks_of(path: Path) -> str:
    """Which tracks of the catalog take the lesson, as the Time line says it."""
    from temporal_notebooks.classroom.catalog import TRACKS, lesson_by_notebook

    lesson = lesson_by_notebook(path.name)
    titles = [track.title for track in TRACKS if lesson is not None and track.name in lesson.tracks]
    return f"In {' and '.join(titles)}. " if titles else ""


def write_time_line(path: Path, core: float, optional: float) -> None:
    """Set the notebook's "**Time:** ..." line to the estimate (the raw JSON, so nothing else moves)."""
    core_min, total_min = round(core), round(core + optional)
    text = (
        f"**Time:** {total_min} minutes; core path {core_min} (skip the sections marked *(optional)*). "
        if optional
        else f"**Time:** {total_min} minutes. "
    ) + tracks_of(path)
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        lines = cell["source"]
        for i, line in enumerate(lines):
            if cell["cell_type"] == "markdown" and TIME_LINE.search(line):
                lines[i] = TIME_LINE.sub(text, line, count=1)
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
                return
    raise ValueError(f"{path.name}: no **Time:** line")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook paths (default: every lesson)")
    parser.add_argument("--no-run", action="store_true", help="skip running the notebooks")
    parser.add_argument("--write", action="store_true", help="set each notebook's Time line")
    parser.add_argument(
        "--walk", action="store_true", help="time the cells one at a time, as a learner runs them"
    )
    args = parser.parse_args()
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    total_core = total_optional = 0.0
    minutes: dict[str, tuple[float, float]] = {}
    print(f"{'lesson':<40} {'core':>6} {'optional':>9} {'total':>6}  (minutes)")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        timer = walk_times if args.walk else run_times
        seconds = [] if args.no_run else asyncio.run(timer(path))
        found = sections(nb, seconds)
        core = sum(s.minutes for s in found if not s.optional)
        optional = sum(s.minutes for s in found if s.optional)
        total_core, total_optional = total_core + core, total_optional + optional
        minutes[path.name] = (core, optional)
        print(f"{path.stem:<40} {core:6.0f} {optional:9.0f} {core + optional:6.0f}")
        if args.write:
            write_time_line(path, core, optional)
        for section in found:
            if section.optional:
                print(f"    optional: {section.title} ({section.minutes:.0f} min)")
    print(f"{'all lessons':<40} {total_core:6.0f} {total_optional:9.0f} {total_core + total_optional:6.0f}")
    for line in agendas(minutes):
        print(line)
    return 0


def agendas(minutes: dict[str, tuple[float, float]]) -> list[str]:
    """Each track's agenda (markdown, for docs/classroom.md) from the lessons' (core, optional) minutes
    by notebook file. A track with a fixed length opens with its first lesson as the welcome (everyone
    runs its first cell while the instructor talks), breaks once half-way and ends with questions."""
    from temporal_notebooks.classroom.catalog import TRACKS, lessons_in

    def at(clock: int) -> str:
        return f"{clock // 60}:{clock % 60:02d}"

    lines = []
    for track in TRACKS:
        taken = [
            (lesson, round(core) if track.core_path else round(core + optional))
            for lesson in lessons_in(track.name)
            if lesson.notebook in minutes
            for core, optional in [minutes[lesson.notebook]]
        ]
        if not taken:
            continue
        length = f" ({track.minutes} minutes)" if track.minutes else ""
        lines += ["", f"### {track.title[0].upper()}{track.title[1:]}{length}", ""]
        lines += ["| start | lesson (minutes) |", "|---|---|"]
        clock = 0
        half = sum(m for _, m in taken) / 2
        for number, (lesson, lesson_minutes) in enumerate(taken, 1):
            welcome = "welcome, " if track.minutes and number == 1 else ""
            lines.append(f"| {at(clock)} | {welcome}{lesson.number} · {lesson.title} ({lesson_minutes}) |")
            clock += lesson_minutes
            if track.minutes and clock >= half and number < len(taken):
                lines.append(f"| {at(clock)} | break ({BREAK_MINUTES}) |")
                clock, half = clock + BREAK_MINUTES, float("inf")
        if track.minutes:
            lines.append(f"| {at(clock)} | questions, clean-up ({QUESTIONS_MINUTES}) |")
            clock += QUESTIONS_MINUTES
        lines += ["", f"Ends at {at(clock)}" + (f" of {at(track.minutes)}." if track.minutes else ".")]
    return lines


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(main)
