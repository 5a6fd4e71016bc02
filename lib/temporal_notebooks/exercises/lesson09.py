"""Lesson 09 exercise: a dynamic activity that answers text tools called by name.

The learner writes ``text_tool`` in a ``%%module_file exercise09`` cell: one dynamic activity that
handles the names ``upper``, ``lower`` and ``title`` (the ``str`` method of that name applied to
its one text argument) and refuses any other name with a non-retryable ``ApplicationError``. The
check runs the lesson's ``TextPipelineWorkflow``, which calls activities by name only, on a
short-lived worker that registers nothing but the learner's activity.
"""

from __future__ import annotations

import sys

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError

from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import CheckResult, not_yet, passed, run_exercise_workflow
from temporal_notebooks.workflows.dynamic import TextPipelineWorkflow

MODULE = "exercise09"
FUNCTION_NAME = "text_tool"
CASES = [
    (["upper"], "hello wORLD", "HELLO WORLD"),
    (["lower", "title"], "hello wORLD", "Hello World"),
]
UNKNOWN_STEP = "explode"


def _find_activity() -> tuple[object | None, str]:
    module = sys.modules.get(MODULE)
    fn = getattr(module, FUNCTION_NAME, None) if module else None
    if fn is None:
        return None, f"no function {FUNCTION_NAME} in module {MODULE}."
    definition = activity._Definition.from_callable(fn)  # type: ignore[arg-type]
    if definition is None:
        return None, f"{FUNCTION_NAME} is not an activity: decorate it with @activity.defn(dynamic=True)."
    if definition.name is not None:
        return None, (
            f"{FUNCTION_NAME} is registered under the fixed name '{definition.name}', so calls named "
            "'upper' or 'lower' never reach it: use @activity.defn(dynamic=True)."
        )
    return fn, ""


def _root_message(exc: BaseException) -> str:
    while getattr(exc, "cause", None) is not None:
        exc = exc.cause  # type: ignore[assignment]
    return getattr(exc, "message", None) or str(exc)


async def check(client: Client) -> CheckResult:
    """Pass when ``text_tool`` answers upper/lower/title by name and refuses other names."""
    if MODULE not in sys.modules:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    fn, problem = _find_activity()
    if fn is None:
        return not_yet(problem)
    for steps, text, expected in CASES:
        try:
            result = await run_exercise_workflow(client, TextPipelineWorkflow, text, steps, activities=[fn])
        except Exception as exc:
            return not_yet(f"steps {steps} on {text!r} failed: {explain(exc) or exc}")
        if result != expected:
            return not_yet(f"steps {steps} on {text!r} gave {result!r}; expected {expected!r}.")
    try:
        result = await run_exercise_workflow(
            client, TextPipelineWorkflow, "hello", [UNKNOWN_STEP], activities=[fn]
        )
    except WorkflowFailureError as exc:
        message = _root_message(exc)
        if UNKNOWN_STEP not in message:
            return not_yet(
                f"a step named '{UNKNOWN_STEP}' failed, but its message ({message!r}) does not name the step."
            )
    except Exception as exc:
        return not_yet(f"the step '{UNKNOWN_STEP}' did not fail cleanly: {explain(exc) or exc}")
    else:
        return not_yet(
            f"a step named '{UNKNOWN_STEP}' returned {result!r}; unknown names should raise "
            "ApplicationError(..., non_retryable=True)."
        )
    return passed("one dynamic activity answered 'upper', 'lower' and 'title' by name and refused 'explode'.")
