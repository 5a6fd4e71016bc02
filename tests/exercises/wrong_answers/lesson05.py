"""Lesson 05: the newsletter step, guarded by workflow.patched so recorded runs still replay."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

GUARD = 'if workflow.patched("newsletter"):'
GUARDED_STEP = """        if workflow.patched("newsletter"):
            subscribed = await workflow.execute_activity(
                add_to_newsletter, email, start_to_close_timeout=TIMEOUT
            )
            steps.append(subscribed)
"""
UNGUARDED_STEP = """        subscribed = await workflow.execute_activity(
            add_to_newsletter, email, start_to_close_timeout=TIMEOUT
        )
        steps.append(subscribed)
"""
WELCOME = """        steps.append(
            await workflow.execute_activity(send_welcome_email, email, start_to_close_timeout=TIMEOUT)
        )
"""

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("recorded by SignupV1) cannot continue", 'inside `if workflow.patched("newsletter"):`')

WRONG_ANSWERS = [
    WrongAnswer(
        "the new step not guarded (the teammate's change as it is)",
        solution_with("05", (GUARDED_STEP, UNGUARDED_STEP)),
        (
            "recorded by SignupV1) cannot continue",
            'inside `if workflow.patched("newsletter"):`',
            "old runs skip it",
        ),
    ),
    WrongAnswer(
        "the patch inverted",
        solution_with("05", (GUARD, 'if not workflow.patched("newsletter"):')),
        ("the patch is the wrong way round", "new signups skip it", "not `if not workflow.patched(...)`"),
    ),
    WrongAnswer(
        "the step chosen by is_replaying instead of patched",
        solution_with("05", (GUARD, "if not workflow.unsafe.is_replaying():")),
        ("recorded by your own code does not replay with it", "is_replaying"),
    ),
    WrongAnswer(
        "the step guarded but put after the welcome email",
        solution_with("05", (GUARDED_STEP + WELCOME, WELCOME + GUARDED_STEP)),
        (
            "ran the activities ['create_account', 'send_welcome_email', 'add_to_newsletter']",
            "expected ['create_account', 'add_to_newsletter', 'send_welcome_email']",
        ),
    ),
    WrongAnswer(
        "the patch deprecated at once",
        solution_with(
            "05", (GUARDED_STEP, '        workflow.deprecate_patch("newsletter")\n' + UNGUARDED_STEP)
        ),
        (
            "your code records a patch, but a signup started before your change still takes the new step",
            "deprecate_patch is for removing the old path later",
        ),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong(
        "lesson05_wrong_1", "a signup started before your change still takes the new step", "Nondeterminism"
    ),
    outsider_wrong("lesson05_wrong_2", "your code records a patch", "send_welcome_email"),
    outsider_wrong("lesson05_wrong_3", "where workflow.patched(...) is False, your code fails", "subscribed"),
    outsider_wrong(
        "lesson05_wrong_4", "recorded by your own code does not replay with it", "add_to_newsletter"
    ),
    outsider_wrong(
        "lesson05_wrong_5", "a new signup ran the activities ['create_account', 'send_welcome_email'"
    ),
    outsider_wrong("lesson05_wrong_6", "the patch is the wrong way round"),
]

RIGHT_ANSWERS = [outsider_right("lesson05_right_1"), outsider_right("lesson05_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "the old path replays but returns a different list",
        solution_with(
            "05",
            (
                GUARDED_STEP,
                '        subscribed = "not subscribed"\n'
                '        if workflow.patched("newsletter"):\n'
                "            subscribed = await workflow.execute_activity(\n"
                "                add_to_newsletter, email, start_to_close_timeout=TIMEOUT\n"
                "            )\n"
                "        steps.append(subscribed)\n",
            ),
        ),
        ("replays with your code, but there it returns", "the old path must end as version 1 did"),
    ),
]
