"""The checks of lessons 10 and 11 refuse plausible wrong answers, each with a "Not yet" that says what
is wrong, on the real dev server; and each lesson's solution passes.

(The same shape as the other lessons' corpora: a mistake, the module text, the words the message
must contain.)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from temporalio.client import Client

from temporal_notebooks.runtime.exercises import solution_source, write_module


@dataclass(frozen=True)
class WrongAnswer:
    mistake: str  # what the learner did (the test id)
    source: str  # the exercise module's text, without its %%module_file line
    reasons: tuple[str, ...]  # words the check's "Not yet" message must contain


def solution_parts(lesson: str) -> tuple[str, str]:
    first, _, body = solution_source(f"lesson{lesson}").partition("\n")
    assert first.startswith("%%module_file "), first
    return first.split()[1], body


def solution_with(lesson: str, *changes: tuple[str, str]) -> str:
    """The lesson's solution with ``(old, new)`` text changes; each ``old`` must be there."""
    source = solution_parts(lesson)[1]
    for old, new in changes:
        assert old in source, f"lesson {lesson}'s solution no longer contains {old!r}"
        source = source.replace(old, new)
    return source


# --- lesson 10: the wallet's lock ------------------------------------------------------------------

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


LESSON10 = [
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
        ("no answer within", "other than ApplicationError"),
    ),
]


# --- lesson 11: quotes in parallel, a failed quote fails the run ---------------------------------------

GATHER = """        quotes = await asyncio.gather(
            *(
                workflow.execute_activity(quote_price, shop, start_to_close_timeout=timedelta(seconds=5))
                for shop in shops
            )
        )
"""
CALL = "workflow.execute_activity(quote_price, shop, start_to_close_timeout=timedelta(seconds=5))"

LESSON11 = [
    WrongAnswer(
        "one shop after the other (the skeleton)",
        solution_with(
            "11",
            (
                GATHER,
                f"        quotes = []\n        for shop in shops:\n            quotes.append(await {CALL})\n",
            ),
        ),
        ("asked one after the other", "asyncio.gather"),
    ),
    WrongAnswer(
        "the calls never awaited",
        solution_with("11", (GATHER, f"        quotes = [{CALL} for shop in shops]\n")),
        ("workflow task fails", "without await"),
    ),
    WrongAnswer(
        "failed quotes dropped with return_exceptions=True",
        solution_with(
            "11",
            (
                "            )\n        )\n        return min",
                "            ),\n            return_exceptions=True,\n        )\n        return min",
            ),
            ("min(quotes,", "min([q for q in quotes if isinstance(q, Quote)],"),
        ),
        ("A quote that failed should fail the workflow", "return_exceptions=True"),
    ),
    WrongAnswer(
        "the activity's failure turned into a ValueError",
        solution_with(
            "11",
            ("import asyncio\n", "import asyncio\n\nfrom temporalio.exceptions import ActivityError\n"),
            (
                GATHER,
                "        try:\n"
                + GATHER.replace("\n        ", "\n            ").replace(
                    "        quotes", "            quotes", 1
                )
                + "        except ActivityError as error:\n"
                + '            raise ValueError(f"no quote: {error}")\n',
            ),
        ),
        ("the workflow task fails (no quote", "never finishes"),
    ),
]

CORPUS = {"10": LESSON10, "11": LESSON11}
CASES = [
    pytest.param(lesson, wrong, id=f"{lesson}-{wrong.mistake}")
    for lesson, answers in CORPUS.items()
    for wrong in answers
]


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize(("lesson", "wrong"), CASES)
async def test_the_check_refuses_it_and_says_why(lesson: str, wrong: WrongAnswer, client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(solution_parts(lesson)[0], wrong.source)
    result = await checks.check(client)
    assert not result.passed, f"passed: {result.message}"
    assert repr(result).startswith("❌ Not yet: ")
    missing = [word for word in wrong.reasons if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


@pytest.mark.parametrize("lesson", sorted(CORPUS))
def test_each_exercise_has_three_distinct_wrong_answers(lesson: str) -> None:
    answers = CORPUS[lesson]
    assert len(answers) >= 3
    assert len({w.reasons for w in answers}) == len(answers)
    assert len({w.source for w in answers}) == len(answers)
    assert solution_parts(lesson)[1] not in {w.source for w in answers}


@pytest.mark.parametrize("lesson", sorted(CORPUS))
async def test_the_solution_passes(lesson: str, client: Client) -> None:
    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    write_module(*solution_parts(lesson))
    result = await checks.check(client)
    assert result.passed, result.message


@pytest.mark.parametrize("lesson", sorted(CORPUS))
async def test_the_check_says_to_run_the_module_cell_first(lesson: str, client: Client) -> None:
    import sys

    checks = importlib.import_module(f"temporal_notebooks.exercises.lesson{lesson}")
    sys.modules.pop(checks.MODULE, None)
    result = await checks.check(client)
    assert not result.passed and f"%%module_file {checks.MODULE}" in result.message
