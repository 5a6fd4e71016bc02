"""Lesson 15 exercise: a refund that keeps its status in the ``OrderStatus`` search attribute.

The learner writes the "Refund" workflow in a ``%%module_file exercise15`` cell. It must set
``OrderStatus`` to "refunding" before its refund activity and to "refunded" after it, with
``workflow.upsert_search_attributes``. The check runs it once, reads the upserts from its history
(their values and where they stand against the activity), then asks the server's visibility index
the support team's question, ``OrderStatus = 'refunded'``, waiting (with a bound) until it answers.
"""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.converter import PayloadConverter

from temporal_notebooks.activities.schedules import ORDER_STATUS, SEARCH_ATTRIBUTES, refund_payment
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    run_exercise,
)
from temporal_notebooks.runtime.visibility import NotListedError, ensure_search_attributes, listed

MODULE = "exercise15"
TYPE_NAME = "Refund"
ORDER_ID = "order-check"
EXPECTED = ["refunding", "refunded"]
RUN_TIMEOUT_S = 5.0
LISTED_TIMEOUT_S = 5.0
REMOVED = "(removed)"
SHOWN = {"activity": "(the refund activity)", REMOVED: REMOVED}
FIX = "workflow.upsert_search_attributes([ORDER_STATUS.value_set(...)])"


def _status_steps(events: list) -> list[str]:
    """What the run did, in order: each OrderStatus value it set, and "activity" where the refund
    was scheduled."""
    steps = []
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            steps.append("activity")
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
            if ORDER_STATUS.name in fields:
                value = PayloadConverter.default.from_payloads([fields[ORDER_STATUS.name]])[0]
                steps.append(REMOVED if value in (None, [], "") else str(value))  # value_unset()
    return steps


async def check(client: Client) -> CheckResult:
    """Pass when the run sets OrderStatus to "refunding" before the refund and "refunded" after it,
    and the visibility query ``OrderStatus = 'refunded'`` finds it."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    await ensure_search_attributes(client, SEARCH_ATTRIBUTES)
    run = await run_exercise(
        client, workflow_class, ORDER_ID, activities=[refund_payment], timeout_s=RUN_TIMEOUT_S
    )
    if run.error is not None:
        task_failures = run.of_type(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
        last = task_failures[-1].workflow_task_failed_event_attributes if task_failures else None
        reason = (  # the server refused a command: its workflow task failed, and is retried forever
            f"its workflow task failed: {last.failure.message}."
            if last and isinstance(run.error, TimeoutError)
            else failure_text(run.error)
        )
        if "search attribute" in reason.lower():
            reason += " Only registered search attributes can be set: use the ORDER_STATUS key."
        return not_yet(f"running it failed: {reason}")
    steps = _status_steps(run.events)
    values = [step for step in steps if step not in SHOWN]
    if not values:
        memo_set = run.of_type(EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED)
        return not_yet(
            (
                "the run changed its memo, not a search attribute: a memo is shown with the workflow "
                "but never searched. "
                if memo_set
                else "the run set no OrderStatus search attribute, so no query can find it by status. "
            )
            + f"Use {FIX}."
        )
    if steps != [EXPECTED[0], "activity", EXPECTED[1]]:
        shown = " → ".join(SHOWN.get(step, repr(step)) for step in steps)
        return not_yet(
            f"the run went {shown}; support needs OrderStatus 'refunding' set before the refund "
            "activity and 'refunded' after it, each with its own upsert."
        )
    query = f"WorkflowId = '{run.history.workflow_id}' AND OrderStatus = 'refunded'"
    try:
        await listed(client, query, timeout_s=LISTED_TIMEOUT_S)
    except NotListedError as exc:
        return not_yet(str(exc))
    return passed(
        f"OrderStatus went 'refunding' → (the refund) → 'refunded', and the query \"{query}\" finds the run."
    )
