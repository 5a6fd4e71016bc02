"""Lesson 01 exercise: a workflow with the custom type name "Shout" that greets loudly.

The learner writes it in a ``%%module_file exercise01`` cell; the check runs it on a worker of its
own with the lesson's ``compose_greeting`` activity, compares the result, and reads the history:
the greeting must come from the activity, not from the workflow building the string itself:
what the workflow returns must be what the activity returned, here and in a second run with a
stand-in activity that answers other text.
"""

from __future__ import annotations

import contextlib

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from temporal_notebooks.activities.greeting import GreetingInput, compose_greeting
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    ExerciseRun,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    run_exercise,
)

MODULE = "exercise01"
TYPE_NAME = "Shout"
ACTIVITY = "compose_greeting"
EXPECTED = "HELLO, ADA!"
MARKED = "HELLO, ADA! (said by the activity)"


@activity.defn(name=ACTIVITY)
async def _marked_greeting(params: GreetingInput) -> str:
    """A stand-in for compose_greeting whose answer no workflow would build by itself."""
    return f"{params.greeting}, {params.name}! (said by the activity)"


def _activity_results(client: Client, run: ExerciseRun) -> list:
    """What each completed activity of the run returned, decoded from its history."""
    converter = client.data_converter.payload_converter
    results = []
    for event in run.of_type(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED):
        payloads = event.activity_task_completed_event_attributes.result.payloads
        with contextlib.suppress(Exception):
            results.append(converter.from_payloads(payloads)[0] if payloads else None)
    return results


async def check(client: Client) -> CheckResult:
    """Pass when "Shout" returns "HELLO, ADA!" for "Ada" through the compose_greeting activity."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    run = await run_exercise(client, workflow_class, "Ada", activities=[compose_greeting])
    if run.error is not None:
        text = failure_text(run.error)
        if "coroutine" in text:
            text += " Did you forget `await` before workflow.execute_activity(...)?"
        return not_yet(f"running it failed: {text}")
    if ACTIVITY not in run.activity_types:
        return not_yet(
            f"it returned {run.result!r} but never called the {ACTIVITY} activity (its history schedules "
            f"{run.activity_types or 'no activity'}): the workflow must not build the text itself; call "
            f"workflow.execute_activity({ACTIVITY}, ...) and return its result."
        )
    returned = _activity_results(client, run)
    if run.result not in returned:
        return not_yet(
            f"it returned {run.result!r}, but the {ACTIVITY} activity returned "
            f"{' / '.join(map(repr, returned)) or 'nothing'}: return the activity's result itself "
            f"(return await workflow.execute_activity({ACTIVITY}, ...)), not text the workflow builds."
        )
    if run.result != EXPECTED:
        hint = ""
        if isinstance(run.result, str) and run.result.lower() == EXPECTED.lower():
            hint = ' The words are right but not all capitals: greeting "HELLO" and name.upper().'
        return not_yet(f"for 'Ada' it returned {run.result!r}; expected {EXPECTED!r}.{hint}")
    # The same run with a stand-in activity that answers other text: the workflow must pass it on.
    marked = await run_exercise(client, workflow_class, "Ada", activities=[_marked_greeting])
    if marked.error is None and marked.result != MARKED:
        return not_yet(
            f"with a stand-in {ACTIVITY} activity that answers {MARKED!r}, your workflow returned "
            f"{marked.result!r}: return the activity's result itself, not text the workflow builds."
        )
    return passed(f'"{TYPE_NAME}" returned {run.result!r} through the {ACTIVITY} activity.')
