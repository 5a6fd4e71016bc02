"""Lesson 01 exercise: a workflow with the custom type name "Shout" that greets loudly.

The learner writes it in a ``%%module_file exercise01`` cell; the check runs it on a worker of its
own with the lesson's ``compose_greeting`` activity and compares the result.
"""

from __future__ import annotations

from temporalio.client import Client

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    learner_workflow,
    not_yet,
    passed,
    run_exercise_workflow,
)

MODULE = "exercise01"
TYPE_NAME = "Shout"
EXPECTED = "HELLO, ADA!"


async def check(client: Client) -> CheckResult:
    """Pass when a workflow named "Shout" in module exercise01 returns "HELLO, ADA!" for "Ada"."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    try:
        result = await run_exercise_workflow(client, workflow_class, "Ada", activities=[compose_greeting])
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")
    if result != EXPECTED:
        return not_yet(f"for 'Ada' it returned {result!r}; expected {EXPECTED!r}.")
    return passed(f'"{TYPE_NAME}" returned {result!r} through the compose_greeting activity.')
