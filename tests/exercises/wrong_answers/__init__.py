"""Plausible wrong answers to each lesson's exercise, as data: one module per lesson, each with a
``WRONG_ANSWERS`` list. Every entry is a mistake a learner really makes, and the words its check
must say about it (a "Not yet" that names what is wrong, not only that the value differs)."""

from __future__ import annotations

from dataclasses import dataclass

from temporal_notebooks.runtime.exercises import solution_module


@dataclass(frozen=True)
class WrongAnswer:
    mistake: str  # what the learner did (the test id)
    source: str  # the exercise module's text, without its %%module_file line
    reasons: tuple[str, ...]  # words the check's "Not yet" message must contain


def solution_with(lesson: str, *changes: tuple[str, str]) -> str:
    """The lesson's solution with ``(old, new)`` text changes; each ``old`` must be there."""
    source = solution_module(f"lesson{lesson}")[1]
    for old, new in changes:
        assert old in source, f"lesson {lesson}'s solution no longer contains {old!r}"
        source = source.replace(old, new)
    return source
