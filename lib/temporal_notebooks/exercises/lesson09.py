"""Lesson 09 exercise: a dynamic activity that answers text tools called by name.

The learner writes ``text_tool`` in a ``%%module_file exercise09`` cell: one dynamic activity that
handles the names ``upper``, ``lower`` and ``title`` (the ``str`` method of that name applied to
its one text argument) and refuses any other name with a non-retryable ``ApplicationError``. The
check runs the lesson's ``TextPipelineWorkflow``, which calls activities by name only, on a
short-lived worker that registers nothing but the learner's activity; then calls unknown names
under a retry policy that allows several attempts, so a retryable refusal shows as retries.
"""

from __future__ import annotations

import sys

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, RetryState

from temporal_notebooks.exercises.check_workflows import TOOL_ATTEMPTS, OneToolWorkflow
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    ExerciseRun,
    failure_text,
    not_yet,
    passed,
    run_exercises,
)
from temporal_notebooks.workflows.dynamic import TextPipelineWorkflow

MODULE = "exercise09"
FUNCTION_NAME = "text_tool"
CASES = [
    (["upper"], "hello wORLD", "HELLO WORLD"),
    (["lower", "title"], "hello wORLD", "Hello World"),
    # Quotes and non-ASCII text: a payload decoded by hand keeps JSON's quotes and escapes; a
    # hand-made mapping differs from str's methods (ß upper-cases to SS, a final Σ lower-cases to ς).
    (["upper"], 'say "grüß dich" to Zoë', 'SAY "GRÜSS DICH" TO ZOË'),
    (["lower"], "ΟΔΥΣΣΕΥΣ \\ CAFÉ", "οδυσσευς \\ café"),
    (["title"], "o'neil's café", "O'Neil'S Café"),
]
TOOLS = ("upper", "lower", "title")
DECODE = "activity.payload_converter().from_payload(args[0].payload, str)"
# Names it must refuse: a made-up one, and a real str method a getattr(str, name) answer would run.
UNKNOWN_STEPS = ("explode", "swapcase")


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


def _refusal_problem(step: str, run: ExerciseRun) -> str | None:
    """None when ``step`` failed at once with a non-retryable error naming it; else what is wrong."""
    if run.error is None:
        return (
            f"a step named '{step}' returned {run.result!r}; only {', '.join(TOOLS)} are tools: refuse "
            "any other name with ApplicationError(..., non_retryable=True)."
        )
    cause = getattr(run.error, "cause", None)
    if not isinstance(run.error, WorkflowFailureError) or not isinstance(cause, ActivityError):
        return f"the step '{step}' did not fail cleanly: {failure_text(run.error)}"
    # Retries write no events: the one ActivityTaskStarted holds the last attempt's number.
    started = run.of_type(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    attempts = started[-1].activity_task_started_event_attributes.attempt if started else 0
    failed = _root(run.error)
    if cause.retry_state != RetryState.NON_RETRYABLE_FAILURE:
        kind = getattr(failed, "type", None) or type(failed).__name__
        return (
            f"the step '{step}' failed with a retryable {kind} ({getattr(failed, 'message', failed)}), so "
            f"Temporal tried it {attempts} times (the policy allows {TOOL_ATTEMPTS}): an unknown name will "
            "not become known by retrying. Raise ApplicationError(..., non_retryable=True)."
        )
    message = getattr(failed, "message", None) or str(failed)
    if step not in message:
        return f"the step '{step}' failed, but its message ({message!r}) does not name the step."
    return None


def _root(exc: BaseException) -> BaseException:
    while getattr(exc, "cause", None) is not None:
        exc = exc.cause  # type: ignore[assignment]
    return exc


async def check(client: Client) -> CheckResult:
    """Pass when ``text_tool`` answers upper/lower/title by name and refuses other names at once."""
    if MODULE not in sys.modules:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    fn, problem = _find_activity()
    if fn is None:
        return not_yet(problem)
    # Every case and every unknown name at once, on one worker: the runs overlap.
    runs = await run_exercises(
        client,
        [(TextPipelineWorkflow, (text, steps)) for steps, text, _ in CASES]
        + [(OneToolWorkflow, (step, "hello wORLD")) for step in UNKNOWN_STEPS],
        activities=[fn],
    )
    for (steps, text, expected), run in zip(CASES, runs, strict=False):
        if run.error is not None:
            reason = failure_text(run.error)
            if "RawValue" in str(getattr(_root(run.error), "message", "")):
                reason += f" Decode the argument first: {DECODE}."
            return not_yet(f"steps {steps} on {text!r} failed: {reason}")
        if run.result != expected:
            return not_yet(f"steps {steps} on {text!r} gave {run.result!r}; expected {expected!r}.")
    for step, run in zip(UNKNOWN_STEPS, runs[len(CASES) :], strict=True):
        problem = _refusal_problem(step, run)
        if problem:
            return not_yet(problem)
    refused = " and ".join(f"'{s}'" for s in UNKNOWN_STEPS)
    return passed(
        f"one dynamic activity answered 'upper', 'lower' and 'title' by name and refused {refused} at once."
    )
