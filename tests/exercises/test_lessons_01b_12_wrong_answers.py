"""The checks of lessons 01b and 12 refuse plausible wrong answers, each with a "Not yet" that says
what is wrong, run for real (01b's experiment on the dev server, 12's tests on the time-skipping
test server); and their solutions pass."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
import pytest_asyncio
from nbrun import solution_text
from temporalio.client import Client

from temporal_notebooks.runtime import connect, write_module


@dataclasses.dataclass(frozen=True)
class WrongAnswer:
    mistake: str  # what the learner did (the test id)
    source: str  # the exercise module's text
    reasons: tuple[str, ...]  # words the check's "Not yet" message must contain


def prediction(value: str) -> str:
    return f"runs_again = {value}\n"


WRONG_01B = [
    WrongAnswer("left the skeleton", prediction('{"TODO"}'), ("replace {'TODO'}",)),
    WrongAnswer(
        "nothing runs again",
        prediction("set()"),
        ("take_payment was running when the worker stopped", "ran again", "take_payment ran 2×"),
    ),
    WrongAnswer(
        "everything done so far runs again",
        prediction('{"reserve_items", "take_payment"}'),
        ("reserve_items had completed before the worker stopped", "instead of running it again"),
    ),
    WrongAnswer(
        "the whole order starts over",
        prediction('{"reserve_items", "take_payment", "pack_and_ship", "email_receipt"}'),
        ("reserve_items had completed", "pack_and_ship had not started", "running on, not running again"),
    ),
    WrongAnswer(
        "the steps after the stop",
        prediction('{"pack_and_ship", "email_receipt"}'),
        ("email_receipt had not started", "take_payment was running when the worker stopped"),
    ),
    WrongAnswer("a misspelt step", prediction('{"take_paymnt"}'), ("'take_paymnt' is not a step",)),
    WrongAnswer("a number instead of names", prediction("2"), ("should be a set of step names",)),
    WrongAnswer("no prediction at all", "# I am not sure\n", ("has no runs_again",)),
]

SOLUTION_12 = solution_text("lesson12")
CANCEL_AND_AWAIT = """        await handle.signal(trial_workflow.cancel)
        assert await handle.result() == "ada: cancelled during the trial, not charged"
"""
CHARGED = "ada: charged after the 30-day trial"
NOT_CHARGED = '    assert charged == [], f"a customer who cancelled was charged: {charged}"'


def solution_12_with(*changes: tuple[str, str]) -> str:
    source = SOLUTION_12
    for old, new in changes:
        assert old in source, f"lesson 12's solution no longer contains {old!r}"
        source = source.replace(old, new)
    return source


WRONG_12 = [
    WrongAnswer(
        "left the skeleton",
        "async def test_a_cancelled_trial_is_not_charged(env, trial_workflow):\n    pass\n",
        ("pass on RefactoredTrialWorkflow too", "do not catch its bug"),
    ),
    WrongAnswer(
        "asserts only the result text",
        solution_12_with((NOT_CHARGED, "")),
        ("pass on RefactoredTrialWorkflow too", "look at what it does"),
    ),
    WrongAnswer(
        "tests the trial that is not cancelled",
        solution_12_with(
            (
                CANCEL_AND_AWAIT,
                '        assert await handle.result() == "ada: charged after the 30-day trial"\n',
            ),
            (NOT_CHARGED, '    assert charged == ["ada"]'),
        ),
        ("pass on RefactoredTrialWorkflow too",),
    ),
    WrongAnswer(
        "a test that always fails",
        solution_12_with((NOT_CHARGED, NOT_CHARGED + "\n    assert False, 'caught it!'")),
        ("on the correct TrialWorkflow", "raised AssertionError: caught it!", "must pass on correct code"),
    ),
    WrongAnswer(
        "asserts the charge the wrong way round",
        solution_12_with((NOT_CHARGED, '    assert charged == ["ada"]')),
        ("on the correct TrialWorkflow", "raised AssertionError"),
    ),
    WrongAnswer(
        "a sync test function",
        "def test_a_cancelled_trial_is_not_charged(env, trial_workflow):\n    assert True\n",
        ("make test_a_cancelled_trial_is_not_charged an async def",),
    ),
    WrongAnswer(
        "a fixture the check does not give",
        "async def test_trial(client, trial_workflow):\n    pass\n",
        ("test_trial asks for 'client'", "env and trial_workflow"),
    ),
    WrongAnswer(
        "no function pytest would run",
        "async def check_trial(env, trial_workflow):\n    pass\n",
        ("no test function in exercise12",),
    ),
]

CASES = [pytest.param("01b", w, id=f"01b-{w.mistake}") for w in WRONG_01B] + [
    pytest.param("12", w, id=f"12-{w.mistake}") for w in WRONG_12
]


@pytest_asyncio.fixture
async def lesson_client(dev_server) -> Client:
    return await connect(quiet=True)


@pytest.mark.parametrize(("lesson", "wrong"), CASES)
async def test_the_check_refuses_it_and_says_why(
    lesson: str, wrong: WrongAnswer, lesson_client: Client
) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(f"exercise{lesson}", wrong.source)
    result = await checks.check(lesson_client)
    assert not result.passed, f"passed: {result.message}"
    assert repr(result).startswith("❌ Not yet: ")
    missing = [word for word in wrong.reasons if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


@pytest.mark.parametrize("lesson", ["01b", "12"])
async def test_the_solution_passes(lesson: str, lesson_client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(f"exercise{lesson}", solution_text(f"lesson{lesson}"))
    result = await checks.check(lesson_client)
    assert result.passed, result.message


@pytest.mark.parametrize(("lesson", "corpus"), [("01b", WRONG_01B), ("12", WRONG_12)])
def test_each_exercise_has_three_wrong_answers_with_their_own_reasons(lesson: str, corpus: list) -> None:
    assert len(corpus) >= 3
    reasons = [w.reasons for w in corpus]
    assert all(reasons) and len(set(reasons)) == len(reasons)
    assert len({w.source for w in corpus}) == len(corpus)
    assert solution_text(f"lesson{lesson}") not in {w.source for w in corpus}
