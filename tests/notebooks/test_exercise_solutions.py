"""Every lesson's one-cell solution passes that lesson's check (the wrong answers are in each
lesson's own test file)."""

from __future__ import annotations

import importlib

import pytest
from nbrun import solution_text
from temporalio.client import Client

from temporal_notebooks.runtime import write_module

LESSONS = [f"{n:02d}" for n in range(1, 10)] + ["01b", "12"]


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_solution_passes_the_check(lesson: str, notebook_client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(f"exercise{lesson}", solution_text(f"lesson{lesson}"))
    result = await checks.check(notebook_client)
    assert result.passed, result.message
