"""Right answers written by someone who saw only an exercise's text (``RIGHT_ANSWERS`` in a lesson's
wrong-answer module) pass that lesson's check on the real dev server: a check must not refuse a
correct solution just because it is written differently from ours."""

from __future__ import annotations

import importlib

import pytest
from temporalio.client import Client

from temporal_notebooks.runtime.exercises import exercise_lessons, solution_module, write_module


def right_answers(lesson: str) -> list[str]:
    try:
        return list(getattr(importlib.import_module(f"wrong_answers.lesson{lesson}"), "RIGHT_ANSWERS", []))
    except ModuleNotFoundError:
        return []


CASES = [
    pytest.param(lesson, source, id=f"{lesson}-right-{number}")
    for lesson in exercise_lessons()
    for number, source in enumerate(right_answers(lesson), 1)
]


@pytest.mark.parametrize(("lesson", "source"), CASES)
async def test_the_check_passes_a_right_answer_written_another_way(
    lesson: str, source: str, notebook_client: Client
) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(solution_module(f"lesson{lesson}")[0], source)
    result = await checks.check(notebook_client)
    assert result.passed, result.message
