"""Lesson 02 exercise: a parcel quote with one dataclass in, one dataclass out, and a clear failure.

The learner writes ``ParcelQuoteWorkflow`` in a ``%%module_file exercise02`` cell. The check starts
it the way callers would: with the old payload shape (no ``express`` field), with the new one,
and with a parcel that is too heavy, which must fail the workflow with an ``ApplicationError``.
"""

from __future__ import annotations

import json
from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    learner_workflow,
    not_yet,
    passed,
    run_exercise_workflow,
)

MODULE = "exercise02"
TYPE_NAME = "ParcelQuoteWorkflow"
ERROR_TYPE = "TooHeavy"
# (what a caller sends, what it must get back)
QUOTES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"weight_kg": 2}, {"price_cents": 700, "express": False}),  # an old caller: no "express"
    ({"weight_kg": 2, "express": True}, {"price_cents": 1400, "express": True}),
    ({"weight_kg": 30}, {"price_cents": 3500, "express": False}),
]
TOO_HEAVY = {"weight_kg": 31}


def _shown(payload: dict[str, Any]) -> str:
    return json.dumps(payload)


async def check(client: Client) -> CheckResult:
    """Pass when the three quotes come back right and a 31 kg parcel fails with type "TooHeavy"."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    for sent, expected in QUOTES:
        try:
            result = await run_exercise_workflow(client, workflow_class, sent)
        except Exception as exc:
            return not_yet(f"for {_shown(sent)} the run failed: {explain(exc) or exc}")
        if result != expected:
            return not_yet(f"for {_shown(sent)} it returned {_shown(result)}; expected {_shown(expected)}.")
    try:
        result = await run_exercise_workflow(client, workflow_class, TOO_HEAVY)
    except WorkflowFailureError as exc:
        cause = exc.cause
        if not isinstance(cause, ApplicationError):
            return not_yet(
                f"for {_shown(TOO_HEAVY)} the workflow failed with {type(cause).__name__} "
                f'({explain(exc)}); expected an ApplicationError with type="{ERROR_TYPE}".'
            )
        if cause.type != ERROR_TYPE:
            return not_yet(
                f"for {_shown(TOO_HEAVY)} the workflow failed with an ApplicationError of type "
                f'{cause.type!r} ("{cause.message}"); expected type="{ERROR_TYPE}".'
            )
    except Exception as exc:
        return not_yet(f"for {_shown(TOO_HEAVY)} the run failed: {explain(exc) or exc}")
    else:
        return not_yet(
            f"for {_shown(TOO_HEAVY)} it returned {_shown(result)}; expected the workflow to fail with "
            f'an ApplicationError with type="{ERROR_TYPE}".'
        )
    return passed(
        "old and new payload shapes both quote correctly, and a 31 kg parcel fails the workflow "
        f'with ApplicationError type "{ERROR_TYPE}".'
    )
