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

from temporal_notebooks.runtime.errors import WorkflowTaskFailedError, explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    run_exercises,
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


def _failed_run(sent: dict[str, Any], exc: BaseException) -> CheckResult:
    text = failure_text(exc)
    if "missing 1 required positional argument" in text:
        text += (
            " Give the new field a default (express: bool = False): callers written before it existed "
            "never send it."
        )
    return not_yet(f"for {_shown(sent)} the run failed: {text}")


def _wrong_quote(sent: dict[str, Any], result: Any, expected: dict[str, Any]) -> CheckResult:
    message = f"for {_shown(sent)} it returned {_shown(result)}; expected {_shown(expected)}."
    if isinstance(result, dict) and result.get("price_cents") != expected["price_cents"]:
        message += " The price is 500 cents + 100 cents per kg, doubled for express."
    return not_yet(message)


def _wrong_types(sent: dict[str, Any], result: dict[str, Any]) -> CheckResult | None:
    """None when each field has the type ParcelQuote declares (700.0 equals 700, but is not an int)."""
    for field, kind in (("price_cents", int), ("express", bool)):
        value = result[field]
        if type(value) is not kind:
            return not_yet(
                f"for {_shown(sent)} it returned {field}={value!r}, a {type(value).__name__}; ParcelQuote "
                f"says {field}: {kind.__name__}, and a caller reads the JSON as such. "
                + ("Make the price a whole number of cents, e.g. round(...)." if kind is int else "")
            )
    return None


def _too_heavy_refusal(exc: BaseException) -> CheckResult | None:
    """None when the 31 kg parcel failed the workflow as asked; else what is wrong."""
    shown = _shown(TOO_HEAVY)
    if isinstance(exc, WorkflowTaskFailedError | TimeoutError):
        return not_yet(
            f"for {shown} the workflow did not fail: your exception ({failure_text(exc)}) failed the "
            "workflow *task*, which Temporal retries until the code is fixed. Raise "
            f'ApplicationError(..., type="{ERROR_TYPE}") to fail the workflow itself.'
        )
    if not isinstance(exc, WorkflowFailureError):
        return not_yet(f"for {shown} the run failed: {failure_text(exc)}")
    cause = exc.cause
    if not isinstance(cause, ApplicationError):
        return not_yet(
            f"for {shown} the workflow failed with {type(cause).__name__} ({explain(exc)}); expected "
            f'an ApplicationError with type="{ERROR_TYPE}".'
        )
    if cause.type != ERROR_TYPE:
        given = "no type" if not cause.type else f"type {cause.type!r}"
        return not_yet(
            f'for {shown} the workflow failed with an ApplicationError of {given} ("{cause.message}"); '
            f'expected type="{ERROR_TYPE}": callers tell errors apart by their type.'
        )
    return None


async def check(client: Client) -> CheckResult:
    """Pass when the three quotes come back right and a 31 kg parcel fails with type "TooHeavy"."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    # Every caller at once, on one worker: the runs overlap.
    runs = await run_exercises(
        client, [(workflow_class, (sent,)) for sent, _ in QUOTES] + [(workflow_class, (TOO_HEAVY,))]
    )
    for (sent, expected), run in zip(QUOTES, runs, strict=False):
        if run.error is not None:
            cause = getattr(run.error, "cause", None)
            if isinstance(cause, ApplicationError) and cause.type == ERROR_TYPE:
                return not_yet(
                    f"for {_shown(sent)} the workflow failed as too heavy; only a parcel over 30 kg is "
                    "too heavy (30 kg is still fine)."
                )
            return _failed_run(sent, run.error)
        if run.result != expected:
            return _wrong_quote(sent, run.result, expected)
        problem = _wrong_types(sent, run.result)
        if problem is not None:
            return problem
    run = runs[-1]
    if run.error is None:
        return not_yet(
            f"for {_shown(TOO_HEAVY)} it returned {_shown(run.result)}; expected the workflow to fail with "
            f'an ApplicationError with type="{ERROR_TYPE}".'
        )
    problem = _too_heavy_refusal(run.error)
    if problem is not None:
        return problem
    return passed(
        "old and new payload shapes both quote correctly, and a 31 kg parcel fails the workflow "
        f'with ApplicationError type "{ERROR_TYPE}".'
    )
