"""Lesson 10: the wallet's async spend update holds one asyncio.Lock across check, await and write."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

LOCK_MADE = "        self.lock = asyncio.Lock()  # one lock for the wallet, made once\n"
LOCKED = "        async with self.lock:  # no other spend runs between the check and the write\n"
CHECK = """            if amount > self.balance:
                raise ApplicationError(f"not enough money: {self.balance} left, asked {amount}")
"""
BODY = """            await workflow.execute_activity(
                approve_purchase, amount, start_to_close_timeout=timedelta(seconds=5)
            )
            self.balance -= amount
            return self.balance
"""


def dedent_block(text: str) -> str:
    return "\n".join(line[4:] if line.startswith("    ") else line for line in text.split("\n"))


WRONG_ANSWERS = [
    WrongAnswer(
        "no lock at all (the skeleton)",
        solution_with("10", (LOCK_MADE, ""), (LOCKED + CHECK + BODY, dedent_block(CHECK + BODY))),
        ("were all approved", "asyncio.Lock"),
    ),
    WrongAnswer(
        "a new lock for every call",
        solution_with("10", (LOCK_MADE, ""), (LOCKED, "        async with asyncio.Lock():\n")),
        ("checked the same old balance", "made once"),
    ),
    WrongAnswer(
        "the lock around the write only",
        solution_with(
            "10",
            (
                LOCKED + CHECK + BODY,
                dedent_block(CHECK)
                + dedent_block(BODY).replace(
                    "        self.balance -= amount\n",
                    "        async with self.lock:\n            self.balance -= amount\n",
                ),
            ),
        ),
        ("balance ended at -20", "around the check, the await and the write"),
    ),
    WrongAnswer(
        "the balance checked in a validator",
        solution_with("10", (CHECK, ""))
        + """
    @spend.validator
    def check_balance(self, amount: int) -> None:
        if amount > self.balance:
            raise ApplicationError(f"not enough money: {self.balance} left, asked {amount}")
""",
        ("gave way at the await", "were all approved"),
    ),
    WrongAnswer(
        "a plain ValueError for 'not enough money'",
        solution_with("10", ("raise ApplicationError(", "raise ValueError(")),
        ("the workflow task fails", "other than ApplicationError"),
    ),
]


# What the notebook's untouched exercise cell gets told.
SKELETON_REASONS = ("were all approved", "asyncio.Lock")


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong(
        "lesson10_wrong_1", "were all approved and the balance ended at -20", "asyncio.Lock (made once"
    ),
    outsider_wrong("lesson10_wrong_2", "gave way at the await", "made once, in __init__"),
    outsider_wrong("lesson10_wrong_3", "answered [20, 20]"),
    outsider_wrong("lesson10_wrong_4", "asked to approve 3 purchases while only 2 could be paid"),
    outsider_wrong("lesson10_wrong_5", "the workflow task fails", "threading.Lock"),
    outsider_wrong("lesson10_wrong_6", "answered [60] with 2 refusal(s)"),
]

RIGHT_ANSWERS = [outsider_right("lesson10_right_1"), outsider_right("lesson10_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "no approval activity at all (nothing to interleave)",
        solution_with(
            "10",
            (LOCK_MADE, ""),
            (
                LOCKED + CHECK + BODY,
                dedent_block(CHECK)
                + dedent_block(BODY).replace(
                    "        await workflow.execute_activity(\n"
                    "            approve_purchase, amount, start_to_close_timeout=timedelta(seconds=5)\n"
                    "        )\n",
                    "",
                ),
            ),
        ),
        ("approve 0 purchase(s) for 2 spends", "every spend must be approved"),
    ),
]
