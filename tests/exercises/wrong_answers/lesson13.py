"""Lesson 13: a points card that continues as new at HISTORY_LIMIT events, carrying its card."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

WAIT = "        await workflow.wait_condition(lambda: self.closed or self.history_is_long())\n"
RETURN_IF_CLOSED = """        if self.closed:
            return self.card.points
"""
CONTINUE = "        workflow.continue_as_new(self.card)  # the next run starts with the card as it is now\n"

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("all 60 signals landed in one run", "workflow.continue_as_new(...)")

WRONG_ANSWERS = [
    WrongAnswer(
        "a fresh card for the next run: the points are lost",
        solution_with(
            "13", (CONTINUE, "        workflow.continue_as_new(PointsCard(owner=self.card.owner))\n")
        ),
        ("expected 65", "run 2: 0", "pass self.card"),
    ),
    WrongAnswer(
        "continue_as_new() with no arguments",
        solution_with("13", (CONTINUE, "        workflow.continue_as_new()\n")),
        ("cannot start its work", "missing 1 required positional argument", "pass the card"),
    ),
    WrongAnswer(
        "continues as new even after close",
        solution_with("13", (RETURN_IF_CLOSED, "")),
        ("no result within", "even after close"),
    ),
    WrongAnswer(
        "the history checked once, before waiting",
        solution_with(
            "13",
            (
                WAIT + RETURN_IF_CLOSED + CONTINUE,
                "        if self.history_is_long():\n"
                "            workflow.continue_as_new(self.card)\n"
                "        await workflow.wait_condition(lambda: self.closed)\n"
                "        return self.card.points\n",
            ),
        ),
        ("landed in one run, whose history grew to", "Wait until the card is closed OR its history is long"),
    ),
]

# Written by someone who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson13_wrong_4", "no result within", "close together with a long history"),
    outsider_wrong("lesson13_wrong_5", "cannot start its work", "Failed decoding arguments"),
    outsider_wrong("lesson13_wrong_6", "expected 65", "More points than were added", "add nothing to it"),
    outsider_wrong(
        "lesson13_wrong_3",
        "all 60 signals landed in one run, whose history grew to",
        "get_current_history_length() >= HISTORY_LIMIT",
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson13_right_1")]
