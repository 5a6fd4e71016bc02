"""Plausible wrong answers to each lesson's exercise, as data: one module per lesson, each with a
``WRONG_ANSWERS`` list. Every entry is a mistake a learner really makes, and the words its check
must say about it (a "Not yet" that names what is wrong, not only that the value differs).

Some come from an outsider: someone who saw only the exercise's text (its markdown) and wrote
plausible wrong answers and unusual right ones, kept verbatim in ``tests/exercises/outsider_answers/``
(each file starts with its ``# intent:`` and ``# why wrong:`` lines). Each lesson's ``RIGHT_ANSWERS``
are answers its check must accept: right by the text, however unusual."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from temporal_notebooks.runtime.exercises import solution_module

OUTSIDER_ANSWERS = Path(__file__).parent.parent / "outsider_answers"


@dataclass(frozen=True)
class WrongAnswer:
    mistake: str  # what the learner did (the test id)
    source: str  # the exercise module's text, without its %%module_file line
    reasons: tuple[str, ...]  # words the check's "Not yet" message must contain
    author: str = "team"  # "outsider": written by someone who saw only the exercise's text


@dataclass(frozen=True)
class RightAnswer:
    way: str  # what is unusual about it (the test id)
    source: str  # the exercise module's text, without its %%module_file line
    author: str = "team"


def solution_with(lesson: str, *changes: tuple[str, str]) -> str:
    """The lesson's solution with ``(old, new)`` text changes; each ``old`` must be there."""
    source = solution_module(f"lesson{lesson}")[1]
    for old, new in changes:
        assert old in source, f"lesson {lesson}'s solution no longer contains {old!r}"
        source = source.replace(old, new)
    return source


def _outsider_file(name: str) -> tuple[str, str]:
    """(its intent line, its module text) for ``outsider_answers/<name>.py.txt``."""
    lines = (OUTSIDER_ANSWERS / f"{name}.py.txt").read_text().splitlines(keepends=True)
    intent = lines[0].removeprefix("# intent:").strip()
    return intent, "".join(line for line in lines if not line.startswith("%%module_file"))


def outsider_wrong(name: str, *reasons: str) -> WrongAnswer:
    """The outsider's wrong answer ``name`` (e.g. "lesson01_wrong_4") and the words its check must say."""
    intent, source = _outsider_file(name)
    return WrongAnswer(f"{name}: {intent[:70]}", source, reasons, author="outsider")


def outsider_right(name: str) -> RightAnswer:
    """The outsider's unusual right answer ``name`` (e.g. "lesson01_right_1")."""
    intent, source = _outsider_file(name)
    return RightAnswer(f"{name}: {intent[:70]}", source, author="outsider")
