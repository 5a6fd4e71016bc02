"""Lesson 11: the Cheapest workflow asks every shop at once (asyncio.gather); a failed quote fails it."""

from wrong_answers import RightAnswer, WrongAnswer, outsider_right, outsider_wrong, solution_with

GATHER = """        quotes = await asyncio.gather(
            *(
                workflow.execute_activity(quote_price, shop, start_to_close_timeout=timedelta(seconds=5))
                for shop in shops
            )
        )
"""
CALL = "workflow.execute_activity(quote_price, shop, start_to_close_timeout=timedelta(seconds=5))"

WRONG_ANSWERS = [
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


# What the notebook's untouched exercise cell (one shop after the other) gets told.
SKELETON_REASONS = ("asked one after the other", "asyncio.gather")


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson11_wrong_1", "scheduled by 3 different workflow tasks"),
    outsider_wrong("lesson11_wrong_2", "with the shops ['north', 'atlantis'] it returned"),
    outsider_wrong("lesson11_wrong_3", "'ActivityError' object has no attribute 'cents'"),
    outsider_wrong("lesson11_wrong_4", "expected the cheapest quote, south's"),
    # The text now says the quotes stay ordinary activities (workflow.execute_activity).
    outsider_wrong("lesson11_wrong_5", "local activities", "workflow.execute_activity"),
    outsider_wrong("lesson11_wrong_6", "asked one after the other", "Start all the activities first"),
]

RIGHT_ANSWERS = [outsider_right("lesson11_right_1"), outsider_right("lesson11_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
RIGHT_ANSWERS += [
    RightAnswer(
        "the activity's failure raised again as the workflow's own ApplicationError",
        solution_with(
            "11",
            (
                "import asyncio\n",
                "import asyncio\n\nfrom temporalio.exceptions import ActivityError, ApplicationError\n",
            ),
            (
                "        quotes = await asyncio.gather(",
                "        try:\n            quotes = await asyncio.gather(",
            ),
            (
                "            )\n        )\n        return min",
                "            )\n            )\n        except ActivityError as err:\n"
                '            raise ApplicationError(f"no quote from every shop: {err}") from err\n'
                "        return min",
            ),
        ),
    ),
]
