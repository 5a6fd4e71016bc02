"""Lesson 01 exercise: a workflow with the custom type name "Shout" that greets loudly.

The learner writes it in a ``%%module_file exercise01`` cell; the check runs it on a worker of its
own with the lesson's ``compose_greeting`` activity and compares the result.
"""

from __future__ import annotations

import sys

from temporalio.client import Client

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    not_yet,
    passed,
    run_exercise_workflow,
    workflow_type_name,
)

MODULE = "exercise01"
TYPE_NAME = "Shout"
EXPECTED = "HELLO, ADA!"


def _find_workflow_class() -> type | None:
    module = sys.modules.get(MODULE)
    if module is None:
        return None
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "__module__", None) == MODULE:
            try:
                if workflow_type_name(value) == TYPE_NAME:
                    return value
            except ValueError:
                continue
    return None


async def check(client: Client) -> CheckResult:
    """Pass when a workflow named "Shout" in module exercise01 returns "HELLO, ADA!" for "Ada"."""
    if MODULE not in sys.modules:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    workflow_class = _find_workflow_class()
    if workflow_class is None:
        return not_yet(f'no @workflow.defn class with name="{TYPE_NAME}" in module {MODULE}.')
    try:
        result = await run_exercise_workflow(client, workflow_class, "Ada", activities=[compose_greeting])
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")
    if result != EXPECTED:
        return not_yet(f"for 'Ada' it returned {result!r}; expected {EXPECTED!r}.")
    return passed(f'"{TYPE_NAME}" returned {result!r} through the compose_greeting activity.')
