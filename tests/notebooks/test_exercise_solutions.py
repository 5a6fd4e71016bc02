"""Every lesson's solution passes that lesson's check (the wrong answers are in tests/exercises)."""

from __future__ import annotations

import importlib

import pytest
from nbrun import solution_text
from temporalio.client import Client

from temporal_notebooks.runtime import write_module
from temporal_notebooks.runtime.exercises import exercise_lessons

LESSONS = exercise_lessons()


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_solution_passes_the_check(lesson: str, notebook_client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(f"exercise{lesson}", solution_text(f"lesson{lesson}"))
    result = await checks.check(notebook_client)
    assert result.passed, result.message


async def test_a_slow_machine_does_not_fail_lesson_11s_solution(
    notebook_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a full run the solution's run took over the check's 6 s and was told "the workflow task fails
    (no result)" though no task had failed. A run with no failed task by then is only slow: it gets
    longer. Here the first wait is shorter than the solution's run (its cheapest shop answers 0.5 s late)."""
    from temporal_notebooks.exercises import lesson11

    monkeypatch.setattr(lesson11, "RESULT_TIMEOUT_S", 0.1)
    write_module("exercise11", solution_text("lesson11"))
    result = await lesson11.check(notebook_client)
    assert result.passed, result.message
