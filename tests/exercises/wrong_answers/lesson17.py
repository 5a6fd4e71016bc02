"""Lesson 17: the next stage of the "loyalty-discount" patch: deprecate_patch and the new path only."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

DEPRECATE = '        workflow.deprecate_patch("loyalty-discount")\n'
DISCOUNT = """        discount = await workflow.execute_activity(
            apply_loyalty_discount, customer, start_to_close_timeout=TIMEOUT
        )
"""
AS_CONDITION = """        discount = "no discount"
        if workflow.deprecate_patch("loyalty-discount"):
            discount = await workflow.execute_activity(
                apply_loyalty_discount, customer, start_to_close_timeout=TIMEOUT
            )
"""

# What the check says about the notebook's untouched exercise cell (today's code, patched() kept).
SKELETON_REASONS = ("a patch marker that is not deprecated", 'workflow.deprecate_patch("loyalty-discount")')

WRONG_ANSWERS = [
    WrongAnswer(
        "the call removed at once (stage 4 instead of stage 3)",
        solution_with("17", (DEPRECATE, "")),
        ('has a "loyalty-discount" patch marker before its first step', "with the same id"),
    ),
    WrongAnswer(
        "patched() kept as a bare call, the old path gone",
        solution_with("17", (DEPRECATE, '        workflow.patched("loyalty-discount")\n')),
        ("a patch marker that is not deprecated", "records that marker even with no `else` left"),
    ),
    WrongAnswer(
        "deprecate_patch with another id",
        solution_with("17", (DEPRECATE, '        workflow.deprecate_patch("loyalty")\n')),
        (
            "makes no call for it there",
            "Non-deprecated patch marker encountered for change loyalty-discount",
        ),
    ),
    WrongAnswer(
        "deprecate_patch used as a condition",
        solution_with("17", (DEPRECATE + DISCOUNT, AS_CONDITION)),
        ("it skipped the discount", "deprecate_patch returns None"),
    ),
    WrongAnswer(
        "deprecate_patch with the old path kept (no discount)",
        solution_with("17", (DISCOUNT, '        discount = "no discount"\n')),
        ("it skipped the discount", "From now on every renewal gets it, with no condition"),
    ),
]


# Written by someone who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong(
        "lesson17_wrong_1", "your code makes no call for it there", "keep the call where `patched` was"
    ),
    outsider_wrong(
        "lesson17_wrong_3", "patch marker before its first step", "Non-deprecated patch marker encountered"
    ),
    outsider_wrong("lesson17_wrong_4", "skipped the discount", "it cannot be the condition"),
    outsider_wrong("lesson17_wrong_6", "before its first step, and your code makes no call for it there"),
    outsider_wrong("lesson17_wrong_2", "ran ['charge_renewal', 'send_receipt']", "every renewal gets it"),
    outsider_wrong(
        "lesson17_wrong_5",
        "so the next stage, with the call gone, cannot replay it",
        "`workflow.patched(...)` records that marker",
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson17_right_1")]
