"""Lesson 15: the refund keeps OrderStatus "refunding" before its activity and "refunded" after it."""

from wrong_answers import WrongAnswer, solution_with

BEFORE = '        workflow.upsert_search_attributes([ORDER_STATUS.value_set("refunding")])\n'
AFTER = '        workflow.upsert_search_attributes([ORDER_STATUS.value_set("refunded")])\n'

WRONG_ANSWERS = [
    WrongAnswer(
        "no upsert at all (the skeleton)",
        solution_with("15", (BEFORE, ""), (AFTER, "")),
        ("set no OrderStatus search attribute", "upsert_search_attributes"),
    ),
    WrongAnswer(
        "the status kept in the memo",
        solution_with(
            "15",
            (BEFORE, '        workflow.upsert_memo({"OrderStatus": "refunding"})\n'),
            (AFTER, '        workflow.upsert_memo({"OrderStatus": "refunded"})\n'),
        ),
        ("changed its memo", "never searched"),
    ),
    WrongAnswer(
        "only the final status",
        solution_with("15", (BEFORE, "")),
        ("(the refund activity) → 'refunded'", "'refunding' set before the refund"),
    ),
    WrongAnswer(
        "both statuses set at the start",
        solution_with("15", (AFTER, ""), (BEFORE, BEFORE + AFTER)),
        ("'refunding' → 'refunded' → (the refund activity)", "after it"),
    ),
    WrongAnswer(
        "a search attribute the server does not know",
        solution_with(
            "15",
            (
                "    from temporal_notebooks.activities.schedules import ORDER_STATUS, refund_payment\n",
                "    from temporal_notebooks.activities.schedules import refund_payment\n"
                "    from temporalio.common import SearchAttributeKey\n\n"
                'ORDER_STATUS = SearchAttributeKey.for_keyword("RefundStatus")\n',
            ),
        ),
        ("running it failed", "use the ORDER_STATUS key"),
    ),
]


# What the notebook's untouched exercise cell gets told.
SKELETON_REASONS = ("set no OrderStatus search attribute", "upsert_search_attributes")
