"""Lesson 15: the refund keeps OrderStatus "refunding" before its activity and "refunded" after it."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

BEFORE = '        workflow.upsert_search_attributes([ORDER_STATUS.value_set("refunding")])\n'
AFTER = '        workflow.upsert_search_attributes([ORDER_STATUS.value_set("refunded")])\n'

WRONG_ANSWERS = [
    WrongAnswer(
        "no upsert at all (the skeleton)",
        solution_with("15", (BEFORE, ""), (AFTER, "")),
        ("set no OrderStatus search attribute", "upsert_search_attributes"),
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
    # Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
    outsider_wrong(
        "lesson15_wrong_1", "(the refund activity) → 'refunded'", "'refunding' set before the refund"
    ),
    outsider_wrong("lesson15_wrong_2", "changed its memo", "never searched"),
    outsider_wrong("lesson15_wrong_3", "'refunding' → 'refunded' → (the refund activity)", "after it"),
    outsider_wrong("lesson15_wrong_4", "'Refunding' → (the refund activity) → 'Refunded'"),
    outsider_wrong("lesson15_wrong_5", "'refunding' → (the refund activity) → (removed)"),
]

RIGHT_ANSWERS = [outsider_right("lesson15_right_1")]

# What the notebook's untouched exercise cell gets told.
SKELETON_REASONS = ("set no OrderStatus search attribute", "upsert_search_attributes")
