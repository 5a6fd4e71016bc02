"""Lesson 08: the place_bid validator rejects a bid that does not beat the highest bid."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

CHECK = "        if amount <= self.highest_bid:\n"
RAISE = (
    '            raise ApplicationError(f"a bid must beat the highest bid, {self.highest_bid}; got {amount}")'
    "\n"
)
SET = "        self.highest_bid = amount\n"
HANDLER = """    def place_bid(self, amount: int) -> int:
        self.highest_bid = amount
        return self.highest_bid
"""

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("a bid of 5 after the highest bid 10 was accepted",)

WRONG_ANSWERS = [
    WrongAnswer(
        "the skeleton's validator that accepts everything",
        solution_with("08", (CHECK + RAISE, "        pass\n")),
        ("a bid of 5 after the highest bid 10 was accepted", "The validator should raise"),
    ),
    WrongAnswer(
        "an equal bid allowed (< instead of <=)",
        solution_with("08", (CHECK, "        if amount < self.highest_bid:\n")),
        ("a bid of 10 after the highest bid 10 was accepted", "an equal bid does not beat it"),
    ),
    WrongAnswer(
        "the low bid refused in the handler instead of the validator",
        solution_with(
            "08",
            (CHECK + RAISE, "        pass\n"),
            (
                HANDLER,
                HANDLER.replace(
                    "        self.highest_bid = amount\n",
                    CHECK + RAISE + "        self.highest_bid = amount\n",
                ),
            ),
        ),
        ("accepted updates; expected 2", "refused by the update handler", "Raise in the validator"),
    ),
    WrongAnswer(
        "the handler answers nothing",
        solution_with(
            "08",
            ("        return self.highest_bid\n\n    @place_bid", "\n    @place_bid"),
            ("-> int:\n        self.highest_bid = amount", "-> None:\n        self.highest_bid = amount"),
        ),
        ("place_bid returned None", "return the highest bid, 10"),
    ),
    WrongAnswer(
        "every bid refused",
        solution_with("08", (CHECK, "        if True:\n")),
        ("the first bid, 10, on a fresh auction was rejected",),
    ),
    WrongAnswer(
        "the handler raises after taking the bid",
        solution_with(
            "08",
            (
                "        self.highest_bid = amount\n",
                "        self.highest_bid = amount\n        raise ValueError('oops')\n",
            ),
        ),
        ("got no answer within 5 s", "workflow task"),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson08_wrong_1", "an equal bid does not beat it"),
    outsider_wrong("lesson08_wrong_2", "the history holds 5 accepted updates", "Raise in the validator"),
    outsider_wrong("lesson08_wrong_3", "a bid of 5 after the highest bid 10 was accepted (it returned 5)"),
    outsider_wrong("lesson08_wrong_4", "rejected, but with no message", "whose message says why"),
    outsider_wrong("lesson08_wrong_5", "the validator changes highest_bid", "never runs on replay"),
    outsider_wrong("lesson08_wrong_6", "a bid of 5 after the highest bid 10 was accepted (it returned 10)"),
]

RIGHT_ANSWERS = [outsider_right("lesson08_right_1"), outsider_right("lesson08_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "the validator also records the bid (the handler does too)",
        solution_with(
            "08",
            (
                RAISE,
                RAISE + "\n        self.highest_bid = amount",
            ),
        ),
        ("the validator changes highest_bid", "a validator must only read"),
    ),
]
