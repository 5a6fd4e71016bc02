"""Lesson 17: the next stage of the "loyalty-discount" patch: deprecate_patch and the new path only."""

from pathlib import Path

from wrong_answers import WrongAnswer, solution_with

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


def outsider(number: int) -> str:
    """An answer written by someone who saw only the exercise text (wrong_answers/outsider/)."""
    return (Path(__file__).parent / "outsider" / f"lesson17_wrong_{number}.py").read_text()


WRONG_ANSWERS += [
    WrongAnswer(
        "outsider: skips to the last stage, the patch call removed",
        outsider(1),
        ("your code makes no call for it there", "keep the call where `patched` was"),
    ),
    WrongAnswer(
        "outsider: deprecate_patch with a new patch id",
        outsider(3),
        ("patch marker before its first step", "Non-deprecated patch marker encountered"),
    ),
    WrongAnswer(
        "outsider: deprecate_patch used as a condition, like patched",
        outsider(4),
        ("skipped the discount", "it cannot be the condition"),
    ),
    WrongAnswer(
        "outsider: deprecate_patch after the discount step",
        outsider(6),
        ("before its first step, and your code makes no call for it there",),
    ),
    WrongAnswer(
        "outsider: deprecate_patch with the old path (no discount) kept",
        outsider(2),
        ("ran ['charge_renewal', 'send_receipt']", "every renewal gets it"),
    ),
    WrongAnswer(
        "outsider: today's code left as it is",
        outsider(5),
        (
            "so the next stage, with the call gone, cannot replay it",
            "`workflow.patched(...)` records that marker",
        ),
    ),
]
