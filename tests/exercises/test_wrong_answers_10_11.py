"""The checks of lessons 10 and 11 refuse their corpora of plausible wrong answers
(``wrong_answers/lesson10.py``, ``lesson11.py``), each with a "Not yet" that says what is wrong, on
the real dev server; the notebook's untouched exercise is refused too, and the solution passes.

The corpora have the shape of the exercises' shared corpus package (``WrongAnswer``,
``solution_with``, ``WRONG_ANSWERS``, ``SKELETON_REASONS``). Until that package's ``__init__`` is
on this branch, this file supplies the two names, so the corpora run here as they will there.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

import pytest
import wrong_answers  # tests/exercises/wrong_answers
from nbrun import exercise_source
from temporalio.client import Client

from temporal_notebooks.runtime.exercises import solution_source, write_module


def solution_parts(lesson: str) -> tuple[str, str]:
    """(module name, module text) of a ``%%module_file`` solution."""
    first, _, body = solution_source(f"lesson{lesson}").partition("\n")
    assert first.startswith("%%module_file "), first
    return first.split()[1], body


if not hasattr(wrong_answers, "WrongAnswer"):  # the shared package's __init__ is not merged here yet

    @dataclass(frozen=True)
    class WrongAnswer:
        mistake: str  # what the learner did (the test id)
        source: str  # the exercise module's text, without its %%module_file line
        reasons: tuple[str, ...]  # words the check's "Not yet" message must contain

    def solution_with(lesson: str, *changes: tuple[str, str]) -> str:
        """The lesson's solution with ``(old, new)`` text changes; each ``old`` must be there."""
        source = solution_parts(lesson)[1]
        for old, new in changes:
            assert old in source, f"lesson {lesson}'s solution no longer contains {old!r}"
            source = source.replace(old, new)
        return source

    wrong_answers.WrongAnswer = WrongAnswer
    wrong_answers.solution_with = solution_with

LESSONS = ["10", "11"]
CORPUS = {lesson: importlib.import_module(f"wrong_answers.lesson{lesson}") for lesson in LESSONS}
CASES = [
    pytest.param(lesson, wrong, id=f"{lesson}-{wrong.mistake}")
    for lesson in LESSONS
    for wrong in CORPUS[lesson].WRONG_ANSWERS
]


async def check_with(lesson: str, source: str, client: Client):
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(solution_parts(lesson)[0], source)
    return await checks.check(client)


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize(("lesson", "wrong"), CASES)
async def test_the_check_refuses_it_and_says_why(lesson: str, wrong, client: Client) -> None:
    result = await check_with(lesson, wrong.source, client)
    assert not result.passed, f"passed: {result.message}"
    assert repr(result).startswith("❌ Not yet: ")
    missing = [word for word in wrong.reasons if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_exercise_has_three_distinct_wrong_answers(lesson: str) -> None:
    answers = CORPUS[lesson].WRONG_ANSWERS
    assert len(answers) >= 3
    assert len({w.reasons for w in answers}) == len(answers)
    assert len({w.source for w in answers}) == len(answers)
    assert solution_parts(lesson)[1] not in {w.source for w in answers}


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_notebooks_untouched_exercise_is_refused(lesson: str, client: Client) -> None:
    module = solution_parts(lesson)[0]
    result = await check_with(lesson, exercise_source(lesson, module), client)
    assert not result.passed
    missing = [word for word in CORPUS[lesson].SKELETON_REASONS if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_solution_passes(lesson: str, client: Client) -> None:
    result = await check_with(lesson, solution_parts(lesson)[1], client)
    assert result.passed, result.message


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_check_asks_for_the_exercise_cell_first(lesson: str, client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    module = solution_parts(lesson)[0]
    sys.modules.pop(module, None)
    result = await checks.check(client)
    assert not result.passed
    assert result.message == f"run the %%module_file {module} cell first."
