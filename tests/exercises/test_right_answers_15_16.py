"""The outsider's right answers to exercises 15 and 16 pass their checks.

TODO(lead): the checks branch runs every lesson's RIGHT_ANSWERS in test_wrong_answers.py; once it is
merged, this file repeats it and can go."""

from __future__ import annotations

import importlib

import pytest
from temporalio.client import Client

from temporal_notebooks.runtime.exercises import solution_module, write_module

CASES = [
    pytest.param(lesson, right, id=f"{lesson}-{right.way}")
    for lesson in ("15", "16")
    for right in getattr(importlib.import_module(f"wrong_answers.lesson{lesson}"), "RIGHT_ANSWERS", [])
]


@pytest.mark.parametrize(("lesson", "right"), CASES)
async def test_the_check_accepts_it(lesson: str, right, notebook_client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(solution_module(f"lesson{lesson}")[0], right.source)
    result = await checks.check(notebook_client)
    assert result.passed, result.message
