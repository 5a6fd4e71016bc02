"""Lesson 02 exercise: a parcel quote with one dataclass in, one dataclass out, and a clear failure.

The learner writes ``ParcelQuoteWorkflow`` in a ``%%module_file exercise02`` cell. The check starts
it the way callers would: with the old payload shape (no ``express`` field), with the new one,
and with a parcel that is too heavy, which must fail the workflow with an ``ApplicationError``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    not_yet,
    passed,
    run_exercise_workflow,
    workflow_type_name,
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


def _find_workflow_class() -> type | None:
    module = sys.modules.get(MODULE)
    for value in vars(module).values() if module else ():
        if isinstance(value, type) and getattr(value, "__module__", None) == MODULE:
            try:
                if workflow_type_name(value) == TYPE_NAME:
                    return value
            except ValueError:
                continue
    return None


def _shown(payload: dict[str, Any]) -> str:
    return json.dumps(payload)


async def check(client: Client) -> CheckResult:
    """Pass when the three quotes come back right and a 31 kg parcel fails with type "TooHeavy"."""
    if MODULE not in sys.modules:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    workflow_class = _find_workflow_class()
    if workflow_class is None:
        return not_yet(f"no @workflow.defn class {TYPE_NAME} in module {MODULE}.")
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
