"""Lesson 01: a "Shout" workflow that returns compose_greeting("HELLO", name in capitals)."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

CALL = """return await workflow.execute_activity(
            compose_greeting,
            GreetingInput("HELLO", name.upper()),
            start_to_close_timeout=timedelta(seconds=10),
        )"""

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("it returned 'TODO' but never called the compose_greeting activity",)

WRONG_ANSWERS = [
    WrongAnswer(
        "builds the text in the workflow instead of calling the activity",
        solution_with("01", (CALL, 'return f"HELLO, {name.upper()}!"')),
        ("never called the compose_greeting activity", "execute_activity"),
    ),
    WrongAnswer(
        "name in capitals forgotten",
        solution_with("01", ('GreetingInput("HELLO", name.upper())', 'GreetingInput("HELLO", name)')),
        ("returned 'HELLO, Ada!'", "not all capitals", "name.upper()"),
    ),
    WrongAnswer(
        "no await before execute_activity",
        solution_with("01", ("return await workflow.execute_activity(", "return workflow.execute_activity(")),
        ("running it failed", "forget `await`"),
    ),
    WrongAnswer(
        "no start_to_close_timeout",
        solution_with("01", ("            start_to_close_timeout=timedelta(seconds=10),\n", "")),
        ("running it failed", "start_to_close_timeout"),
    ),
    WrongAnswer(
        "the type name left as the class name",
        solution_with("01", ('@workflow.defn(name="Shout")', "@workflow.defn")),
        ('no @workflow.defn class with name="Shout"', "ShoutWorkflow is registered as 'ShoutWorkflow'"),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson01_wrong_1", "returned 'HELLO, Ada!'", "name.upper()"),
    outsider_wrong(
        "lesson01_wrong_2", "never called the compose_greeting activity", "must not build the text itself"
    ),
    outsider_wrong("lesson01_wrong_3", 'set @workflow.defn(name="Shout")'),
    outsider_wrong(
        "lesson01_wrong_4",
        "the compose_greeting activity returned 'Hello, Ada!'",
        "return the activity's result itself",
    ),
    outsider_wrong("lesson01_wrong_5", "returned 'Hello, ADA!'", "not all capitals"),
]

RIGHT_ANSWERS = [outsider_right("lesson01_right_1"), outsider_right("lesson01_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "calls the activity, then returns text of its own that looks the same",
        solution_with(
            "01",
            (
                "return await workflow.execute_activity(",
                "await workflow.execute_activity(",
            ),
            (
                "start_to_close_timeout=timedelta(seconds=10),\n        )",
                "start_to_close_timeout=timedelta(seconds=10),\n        )\n"
                '        return f"HELLO, {name.upper()}!"',
            ),
        ),
        ("with a stand-in compose_greeting activity", "return the activity's result itself"),
    ),
]
