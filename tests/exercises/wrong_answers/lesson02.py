"""Lesson 02: a parcel quote, one dataclass in and out, "TooHeavy" over 30 kg."""

from wrong_answers import WrongAnswer, solution_with

RAISE = 'raise ApplicationError(f"{request.weight_kg:g} kg is over the 30 kg limit", type="TooHeavy")'

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = (
    'for {"weight_kg": 2} it returned {"express": false, "price_cents": 0}',
    "doubled for express",
)

WRONG_ANSWERS = [
    WrongAnswer(
        "the new field has no default",
        solution_with("02", ("express: bool = False", "express: bool")),
        ("missing 1 required positional argument: 'express'", "default (express: bool = False)"),
    ),
    WrongAnswer(
        "an ordinary ValueError instead of ApplicationError",
        solution_with("02", (RAISE, 'raise ValueError("too heavy")')),
        (
            '{"weight_kg": 31} the workflow did not fail',
            "workflow *task*",
            'ApplicationError(..., type="TooHeavy")',
        ),
    ),
    WrongAnswer(
        "ApplicationError without a type",
        solution_with("02", (', type="TooHeavy")', ")")),
        ("ApplicationError of no type", 'expected type="TooHeavy"'),
    ),
    WrongAnswer(
        "a different error type",
        solution_with("02", ('type="TooHeavy"', 'type="Heavy"')),
        ("ApplicationError of type 'Heavy'", 'expected type="TooHeavy"'),
    ),
    WrongAnswer(
        "30 kg already refused (>= instead of >)",
        solution_with("02", ("request.weight_kg > 30", "request.weight_kg >= 30")),
        ('for {"weight_kg": 30} the workflow failed as too heavy', "30 kg is still fine"),
    ),
    WrongAnswer(
        "express not doubled",
        solution_with("02", ("price *= 2", "price += 0")),
        ('for {"weight_kg": 2, "express": true} it returned', "doubled for express"),
    ),
]
