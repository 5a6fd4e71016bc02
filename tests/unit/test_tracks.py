"""The catalog's tracks: the full course takes every lesson, the 3-hour workshop takes lessons whose
core path (practice included) fits in three hours by ``benchmarks/lesson_time.py``'s estimate, and the
notebooks' Time lines and the guide's agenda say what the catalog says."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat

from temporal_notebooks.classroom.catalog import LESSONS, TRACKS, lessons_in, track_by_name

ROOT = Path(__file__).resolve().parents[2]


def lesson_time():
    spec = importlib.util.spec_from_file_location("lesson_time", ROOT / "benchmarks" / "lesson_time.py")
    module = sys.modules.setdefault("lesson_time", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)  # registered first: its dataclasses look their module up
    return module


def test_every_lesson_is_in_the_full_course_and_names_known_tracks() -> None:
    known = {track.name for track in TRACKS}
    assert all(set(lesson.tracks) <= known for lesson in LESSONS)
    assert lessons_in("course") == LESSONS


def test_the_workshop_fits_in_three_hours_with_practice() -> None:
    timing = lesson_time()
    workshop = track_by_name("workshop")
    core_minutes = 0
    for lesson in lessons_in("workshop"):
        nb = nbformat.read(ROOT / "notebooks" / lesson.notebook, as_version=4)
        sections = timing.sections(nb, [])  # the text alone; measured run times add about a minute
        assert lesson.number == "00" or any(
            s.title.startswith("Exercise") and not s.optional for s in sections
        )
        core_minutes += round(sum(s.minutes for s in sections if not s.optional))
    frame = timing.BREAK_MINUTES + timing.QUESTIONS_MINUTES
    assert core_minutes + frame <= workshop.minutes, f"{core_minutes} min of lessons + {frame} min"


def test_time_lines_and_the_agenda_say_which_tracks_take_a_lesson() -> None:
    timing = lesson_time()
    for lesson in LESSONS:
        path = ROOT / "notebooks" / lesson.notebook
        assert timing.tracks_of(path) in path.read_text(), f"{lesson.notebook}: its Time line's tracks"
    guide = (ROOT / "docs" / "classroom.md").read_text()
    workshop = guide[guide.index("### The 3-hour workshop") :].split("\n\n")[1]  # its table
    listed = re.findall(r"^\| \d:\d\d \| (?:welcome, )?(\w+) · ", workshop, re.M)
    assert listed == [lesson.number for lesson in lessons_in("workshop")]
