"""Answers written by someone who saw only an exercise's text (tests/exercises/wrong_answers/outsider/):
each right one passes its lesson's check (the wrong ones are in the lessons' wrong-answer corpora)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from temporalio.client import Client

from temporal_notebooks.runtime.exercises import solution_module, write_module

OUTSIDER = Path(__file__).parent / "wrong_answers" / "outsider"
RIGHT = sorted(OUTSIDER.glob("lesson*_right_*.py"))


@pytest.mark.parametrize("path", RIGHT, ids=lambda p: p.stem)
async def test_a_right_answer_passes_its_check(path: Path, notebook_client: Client) -> None:
    lesson = path.stem.removeprefix("lesson").split("_")[0]
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(solution_module(f"lesson{lesson}")[0], path.read_text())
    result = await checks.check(notebook_client)
    assert result.passed, repr(result)
