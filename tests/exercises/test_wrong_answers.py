"""Every exercise check refuses a corpus of plausible wrong answers, each with a "Not yet" that says
what is wrong, on the real dev server; accepts a corpus of unusual right ones; and the corpus is big
enough to mean something, with at least three wrong answers per exercise from an outsider (someone
who saw only the exercise's text)."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest
from nbrun import exercise_source
from temporalio.client import Client
from wrong_answers import RightAnswer, WrongAnswer

from temporal_notebooks.runtime.exercises import CheckResult, exercise_lessons, solution_module, write_module

LESSONS = exercise_lessons()


def corpus(lesson: str):
    """The lesson's wrong-answer module, or None when it has none yet."""
    try:
        return importlib.import_module(f"wrong_answers.lesson{lesson}")
    except ModuleNotFoundError:
        return None


CASES = [
    pytest.param(lesson, wrong, id=f"{lesson}-{wrong.mistake}")
    for lesson in LESSONS
    if corpus(lesson)
    for wrong in corpus(lesson).WRONG_ANSWERS
]

RIGHT_CASES = [
    pytest.param(lesson, right, id=f"{lesson}-{right.way}")
    for lesson in LESSONS
    if corpus(lesson)
    for right in getattr(corpus(lesson), "RIGHT_ANSWERS", [])
]
OUTSIDER_WRONG_PER_LESSON = 3


async def check_answer(lesson: str, source: str, client: Client) -> CheckResult:
    """Write ``source`` as the lesson's exercise module and run the lesson's check on it."""
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(solution_module(f"lesson{lesson}")[0], source)
    return await checks.check(client)


# Wrong answers include a forgotten `await` and failing handlers: Python says so when the dropped
# coroutine is collected.
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize(("lesson", "wrong"), CASES)
async def test_the_check_refuses_it_and_says_why(
    lesson: str, wrong: WrongAnswer, notebook_client: Client
) -> None:
    result = await check_answer(lesson, wrong.source, notebook_client)
    gc.collect()  # a dropped coroutine of the wrong answer is reported here, under the filter above
    assert not result.passed, f"passed: {result.message}"
    assert repr(result).startswith("❌ Not yet: ")
    missing = [word for word in wrong.reasons if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_exercise_has_three_wrong_answers_with_their_own_reasons(lesson: str) -> None:
    module = corpus(lesson)
    assert module is not None, (
        f"lesson {lesson} has an exercise: add tests/exercises/wrong_answers/lesson{lesson}.py"
    )
    wrong_answers = module.WRONG_ANSWERS
    assert len(wrong_answers) >= 3
    reasons = [w.reasons for w in wrong_answers]
    assert all(reasons) and len(set(reasons)) == len(reasons)
    sources = [w.source for w in wrong_answers]
    assert len(set(sources)) == len(sources)
    assert solution_module(f"lesson{lesson}")[1] not in sources


@pytest.mark.parametrize(("lesson", "right"), RIGHT_CASES)
async def test_the_check_accepts_an_unusual_right_answer(
    lesson: str, right: RightAnswer, notebook_client: Client
) -> None:
    result = await check_answer(lesson, right.source, notebook_client)
    assert result.passed, f"refused: {result.message}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_exercise_has_outsider_answers(lesson: str) -> None:
    """At least three wrong answers, and the unusual right ones, from someone who saw only the text."""
    module = corpus(lesson)
    outsider_wrong = [w for w in module.WRONG_ANSWERS if w.author == "outsider"]
    assert len(outsider_wrong) >= OUTSIDER_WRONG_PER_LESSON, [w.mistake for w in outsider_wrong]
    assert [r for r in module.RIGHT_ANSWERS if r.author == "outsider"], "no outsider right answer"
    assert not {w.source for w in module.WRONG_ANSWERS} & {r.source for r in module.RIGHT_ANSWERS}


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_notebooks_untouched_exercise_is_refused(lesson: str, notebook_client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    module = solution_module(f"lesson{lesson}")[0]
    write_module(module, exercise_source(lesson, module))
    result = await checks.check(notebook_client)
    assert not result.passed
    reasons = corpus(lesson).SKELETON_REASONS
    missing = [word for word in reasons if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_check_asks_for_the_exercise_cell_first(lesson: str, notebook_client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    module = solution_module(f"lesson{lesson}")[0]
    sys.modules.pop(module, None)
    result = await checks.check(notebook_client)
    assert not result.passed
    assert result.message == f"run the %%module_file {module} cell first."
