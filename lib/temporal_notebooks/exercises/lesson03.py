"""Lesson 03 exercise: serve a client that already uses fixed names, by setting ``name=...``.

The billing service (not Python, not ours) starts workflow type "invoice.v1", queries "state" and
signals "approve". The learner's ``exercise03`` module must register exactly those names. The check
compares the registered names first (a fast, precise answer), then plays the billing service
against a worker of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import uuid

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from temporal_notebooks.activities.type_names import send_invoice
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped

WORKFLOW_MODULE = "exercise03"
WORKFLOW_TYPE = "invoice.v1"
SIGNAL = "approve"
QUERY = "state"
ACTIVITY_TYPE = "invoice.send"
INVOICE = "INV-7"
TIMEOUT_S = 15.0
# The Python names the task keeps: the contract with the billing service is the name=... values.
PYTHON_NAMES = {"workflow": "InvoiceWorkflow", "signal": "approve_invoice", "query": "current_state"}


def _defined_in(module_name: str) -> list:
    module = sys.modules.get(module_name)
    if module is None:
        return []
    return [v for v in vars(module).values() if getattr(v, "__module__", None) == module_name]


def _workflow_definitions():
    found = []
    for value in _defined_in(WORKFLOW_MODULE):
        if inspect.isclass(value):
            definition = workflow._Definition.from_class(value)
            if definition is not None:
                found.append(definition)
    return found


def _name_problems(workflows) -> list[str]:
    problems = []
    names = [d.name for d in workflows]
    if WORKFLOW_TYPE not in names:
        problems.append(f'the workflow type is {" / ".join(map(repr, names))}, expected "{WORKFLOW_TYPE}"')
    definition = next((d for d in workflows if d.name == WORKFLOW_TYPE), workflows[0])
    signals = [s for s in definition.signals if s is not None]
    if SIGNAL not in signals:
        problems.append(f'no signal "{SIGNAL}" (registered: {", ".join(map(repr, signals)) or "none"})')
    queries = [q for q in definition.queries if q is not None and not q.startswith("__")]
    if QUERY not in queries:
        problems.append(f'no query "{QUERY}" (registered: {", ".join(map(repr, queries)) or "none"})')
    return problems


def _renamed_python_names(definition) -> list[str]:
    """Python names the learner changed instead of setting ``name=...`` (the task keeps them)."""
    renamed = []
    if definition.cls.__name__ != PYTHON_NAMES["workflow"]:
        renamed.append(f"the class {PYTHON_NAMES['workflow']} is now {definition.cls.__name__}")
    for kind, handlers, name in (
        ("signal", definition.signals, SIGNAL),
        ("query", definition.queries, QUERY),
    ):
        method = handlers[name].fn.__name__
        if method != PYTHON_NAMES[kind]:
            renamed.append(f"the {kind} method {PYTHON_NAMES[kind]} is now {method}")
    return renamed


async def _play_billing_service(client: Client, workflow_class: type) -> str | None:
    """Start, query, signal and wait exactly as the billing service does; None when all went right."""
    task_queue = scoped(f"check-{WORKFLOW_TYPE}")
    async with short_lived_worker(client, task_queue, workflows=[workflow_class], activities=[send_invoice]):
        handle = await client.start_workflow(
            WORKFLOW_TYPE, INVOICE, id=scoped(f"check-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        try:
            state = await asyncio.wait_for(handle.query(QUERY), TIMEOUT_S)
            await handle.signal(SIGNAL)
            result = await result_in_time(handle, TIMEOUT_S)
            scheduled = [
                event.activity_task_scheduled_event_attributes.activity_type.name
                async for event in handle.fetch_history_events()
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            ]
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")
    if ACTIVITY_TYPE not in scheduled:
        return f'the run never called activity "{ACTIVITY_TYPE}" (the history has: {scheduled or "none"})'
    if not isinstance(state, str) or not state:
        return f'query "{QUERY}" answered {state!r}; expected a short text such as "awaiting approval"'
    if INVOICE not in str(result):
        return f"the run returned {result!r}; expected the activity's result, which names {INVOICE}"
    return None


async def check(client: Client) -> CheckResult:
    """Pass when the registered names match the billing service's and a full round trip works."""
    if WORKFLOW_MODULE not in sys.modules:
        return not_yet(f"run the %%module_file {WORKFLOW_MODULE} cell first.")
    workflows = _workflow_definitions()
    if not workflows:
        return not_yet(f"no @workflow.defn class in module {WORKFLOW_MODULE}.")
    problems = _name_problems(workflows)
    if problems:
        return not_yet("; ".join(problems) + ".")
    definition = next(d for d in workflows if d.name == WORKFLOW_TYPE)
    renamed = _renamed_python_names(definition)
    if renamed:
        return not_yet(
            "; ".join(renamed) + ". Keep the Python names (your team's code calls them) and give the "
            'billing service its names with name=..., e.g. @workflow.signal(name="approve").'
        )
    workflow_class = definition.cls
    try:
        problem = await _play_billing_service(client, workflow_class)
    except Exception as exc:
        return not_yet(f"the billing service's run failed: {failure_text(exc)}")
    if problem:
        return not_yet(problem + ".")
    return passed(
        f'the billing service started "{WORKFLOW_TYPE}", asked "{QUERY}" and sent "{SIGNAL}", all by the '
        f'names it already uses, and the run sent the invoice through "{ACTIVITY_TYPE}".'
    )
