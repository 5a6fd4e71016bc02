"""Lesson 07: a query named "steps left" that answers self.left."""

from wrong_answers import RightAnswer, WrongAnswer, outsider_right, outsider_wrong, solution_with

NAMED = '@workflow.query(name="steps left")'

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ('no query named "steps left" (its queries: steps_left)',)

WRONG_ANSWERS = [
    WrongAnswer(
        "no custom name: the query is called steps_left",
        solution_with("07", (NAMED, "@workflow.query")),
        ('no query named "steps left" (its queries: steps_left)', '@workflow.query(name="steps left")'),
    ),
    WrongAnswer(
        "the skeleton's placeholder answer kept",
        solution_with("07", ("return self.left", "return -1")),
        ('"steps left" answered [-1', "expected 3…0", "self.left"),
    ),
    WrongAnswer(
        "an attribute that does not exist",
        solution_with("07", ("return self.left", "return self.remaining")),
        ('asking "steps left" failed', "remaining"),
    ),
    WrongAnswer(
        "a sentence instead of the number",
        solution_with(
            "07",
            (
                "    def steps_left(self) -> int:\n        return self.left",
                '    def steps_left(self) -> str:\n        return f"{self.left} steps left"',
            ),
        ),
        ("answered ['3 steps left'", "an int"),
    ),
    WrongAnswer(
        "the starting number instead of what is left",
        solution_with(
            "07",
            ("        self.left = start\n", "        self.left = start\n        self.start = start\n"),
            ("return self.left", "return self.start"),
        ),
        ("should go down step by step",),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson07_wrong_1", 'no query named "steps left"', "(its queries: steps_left): set"),
    outsider_wrong("lesson07_wrong_2", "changes the workflow's state (it sets self.left)", "must only read"),
    outsider_wrong("lesson07_wrong_3", "'3 steps left'", "not a text"),
    # Refused as out of range (-1 at the end) or as below the real count, depending on timing.
    outsider_wrong("lesson07_wrong_4", "return self.left", "steps still to go"),
    outsider_wrong("lesson07_wrong_5", 'no query named "steps left" (its queries'),
]

# lesson07_right_2 is not here: it does not import ("Multiple query methods found for steps left": the
# decorated function is the class's attribute twice), so the exercise cell itself says what is wrong.
RIGHT_ANSWERS = [outsider_right("lesson07_right_1")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "one less than what is left (never below 0)",
        solution_with("07", ("return self.left", "return max(self.left - 1, 0)")),
        ('"steps left" answered 2 when the countdown had 3', "the real number of steps"),
    ),
]

RIGHT_ANSWERS += [
    RightAnswer(
        "the query set with workflow.set_query_handler",
        solution_with(
            "07",
            (
                "        self.left = start\n",
                "        self.left = start\n"
                '        workflow.set_query_handler("steps left", lambda: self.left)\n',
            ),
            (
                '    @workflow.query(name="steps left")\n'
                "    def steps_left(self) -> int:\n        return self.left\n",
                "",
            ),
        ),
    ),
]
