"""Lesson 07: a query named "steps left" that answers self.left."""

from wrong_answers import WrongAnswer, solution_with

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
