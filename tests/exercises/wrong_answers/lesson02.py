"""Lesson 02: a parcel quote, one dataclass in and out, "TooHeavy" over 30 kg."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

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


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson02_wrong_1", 'for {"weight_kg": 30} the workflow failed as too heavy'),
    outsider_wrong("lesson02_wrong_2", "missing 1 required positional argument: 'express'"),
    outsider_wrong("lesson02_wrong_3", '"price_cents": 900', "doubled for express"),
    outsider_wrong("lesson02_wrong_4", 'ApplicationError of no type ("TooHeavy")'),
    outsider_wrong("lesson02_wrong_5", "the workflow did not fail", "exercise02.py line"),
    outsider_wrong("lesson02_wrong_6", "price_cents=700.0, a float", "price_cents: int"),
]

RIGHT_ANSWERS = [outsider_right("lesson02_right_1"), outsider_right("lesson02_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "a float price (no rounding to whole cents)",
        solution_with(
            "02", ("price = 500 + round(request.weight_kg * 100)", "price = 500 + request.weight_kg * 100")
        ),
        ("price_cents=700.0, a float", "whole number of cents"),
    ),
]
