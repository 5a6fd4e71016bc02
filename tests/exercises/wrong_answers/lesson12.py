"""Lesson 12: write the test that catches RefactoredTrialWorkflow charging a customer who cancelled."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

SKELETON_REASONS = ("pass on RefactoredTrialWorkflow too",)
CANCEL_AND_AWAIT = """        await handle.signal(trial_workflow.cancel)
        assert await handle.result() == "ada: cancelled during the trial, not charged"
"""
CHARGED = "ada: charged after the 30-day trial"
NOT_CHARGED = '    assert charged == [], f"a customer who cancelled was charged: {charged}"'


WRONG_ANSWERS = [
    WrongAnswer(
        "left the skeleton",
        "async def test_a_cancelled_trial_is_not_charged(env, trial_workflow):\n    pass\n",
        ("pass on RefactoredTrialWorkflow too", "do not catch its bug"),
    ),
    WrongAnswer(
        "asserts only the result text",
        solution_with("12", (NOT_CHARGED, "")),
        ("pass on RefactoredTrialWorkflow too", "look at what it does"),
    ),
    WrongAnswer(
        "tests the trial that is not cancelled",
        solution_with(
            "12",
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
        solution_with("12", (NOT_CHARGED, NOT_CHARGED + "\n    assert False, 'caught it!'")),
        ("on the correct TrialWorkflow", "raised AssertionError: caught it!", "must pass on correct code"),
    ),
    WrongAnswer(
        "asserts the charge the wrong way round",
        solution_with("12", (NOT_CHARGED, '    assert charged == ["ada"]')),
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


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson12_wrong_1", "pass on RefactoredTrialWorkflow too", "record their calls"),
    outsider_wrong(
        "lesson12_wrong_2", "a correct trial workflow with another class name", "never which class"
    ),
    outsider_wrong("lesson12_wrong_3", "on the correct TrialWorkflow", "a cancelled trial was charged"),
    outsider_wrong("lesson12_wrong_4", "do not catch its bug yet", "stand-in activities"),
    outsider_wrong("lesson12_wrong_5", "they do not catch its bug", "where the bug shows"),
    outsider_wrong("lesson12_wrong_6", "A test must pass on correct code", "line 57"),
]

RIGHT_ANSWERS = [outsider_right("lesson12_right_1"), outsider_right("lesson12_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "tells the two classes apart instead of testing",
        "from temporal_notebooks.workflows.testing_lesson import RefactoredTrialWorkflow\n\n\n"
        "async def test_a_cancelled_trial_is_not_charged(env, trial_workflow):\n"
        "    assert trial_workflow is not RefactoredTrialWorkflow\n",
        ("pass on TidyTrialWorkflow", "same bug", "tell the classes apart"),
    ),
]
