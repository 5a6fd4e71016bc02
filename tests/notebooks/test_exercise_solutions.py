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
