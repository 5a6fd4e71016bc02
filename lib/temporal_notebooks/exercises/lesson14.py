"""Lesson 14 exercise: a ticket order that undoes its completed steps, last first, when a step
fails for good.

The learner writes the "TicketSaga" workflow in a ``%%module_file exercise14`` cell. The check runs
it four times, with no failure and with each step failing in turn (``TicketOrder.fail_at``), and
reads each run's history: the activities scheduled, in order, and whether the run failed.
"""

from __future__ import annotations

import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError

from temporal_notebooks.activities.sagas import (
    charge_card,
    refund_card,
    release_seat,
    reserve_seat,
    send_tickets,
)
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    ExerciseRun,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    run_exercise,
)

MODULE = "exercise14"
TYPE_NAME = "TicketSaga"
ACTIVITIES = [reserve_seat, charge_card, send_tickets, release_seat, refund_card]
STEPS = ["reserve_seat", "charge_card", "send_tickets"]
UNDO = {"reserve_seat": "release_seat", "charge_card": "refund_card"}
RUN_TIMEOUT_S = 10.0


def expected_activities(fail_at: str) -> list[str]:
    """What a saga schedules when ``fail_at`` fails: the steps up to it, then the undos of the
    steps before it, last first."""
    if not fail_at:
        return list(STEPS)
    done = STEPS[: STEPS.index(fail_at)]
    return [*done, fail_at, *(UNDO[step] for step in reversed(done))]


async def _run(client: Client, workflow_class: type, fail_at: str) -> ExerciseRun:
    order = {"order_id": f"order-{uuid.uuid4().hex[:4]}", "fail_at": fail_at}
    return await run_exercise(client, workflow_class, order, activities=ACTIVITIES, timeout_s=RUN_TIMEOUT_S)


async def check(client: Client) -> CheckResult:
    """Pass when each failing step leaves exactly the undos of the completed steps, in reverse,
    and the run then fails; and an order with no failure completes with no undo."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    for fail_at in ("send_tickets", "charge_card", "reserve_seat", ""):
        run = await _run(client, workflow_class, fail_at)
        when = f"when {fail_at} failed" if fail_at else "with no failure"
        expected, got = expected_activities(fail_at), run.activity_types
        if isinstance(run.error, TimeoutError) or (
            run.error and not isinstance(run.error, WorkflowFailureError)
        ):
            return not_yet(f"{when}, {failure_text(run.error)}")
        if got != expected:
            return not_yet(f"{when}, the run scheduled {got}; expected {expected}. " + _why(fail_at, got))
        unfinished = (
            [name for name in got[STEPS.index(fail_at) + 1 :] if name not in _completed(run)]
            if fail_at
            else []
        )
        if unfinished:
            return not_yet(
                f"{when}, the run scheduled {unfinished} but failed before they completed: an undo "
                "started and not awaited may never run once the workflow has closed. Await each undo "
                "(execute_activity) before raising."
            )
        if fail_at and run.error is None:
            return not_yet(
                f"{when}, the undo was right ({got[STEPS.index(fail_at) + 1 :]}), but the run completed "
                f"and returned {run.result!r}: after undoing, raise the error again (a bare `raise` in the "
                "except block), so the caller learns the order failed."
            )
        if not fail_at and run.error is not None:
            return not_yet(f"{when}, the run failed: {failure_text(run.error)}")
    return passed(
        "each failure undid exactly the steps that had completed, last first, and the order failed; "
        "with no failure nothing was undone: "
        + "; ".join(
            f"{fail_at} failed → {expected_activities(fail_at)[STEPS.index(fail_at) + 1 :]}"
            for fail_at in STEPS
        )
        + "."
    )


def _completed(run: ExerciseRun) -> list[str]:
    """The activity types whose ActivityTaskCompleted is in the run's history."""
    scheduled = {
        e.event_id: e.activity_task_scheduled_event_attributes.activity_type.name
        for e in run.of_type(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    }
    return [
        scheduled.get(e.activity_task_completed_event_attributes.scheduled_event_id, "")
        for e in run.of_type(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
    ]


def _why(fail_at: str, got: list[str]) -> str:
    """What the learner's list of activities says about the mistake."""
    undos = [name for name in got if name in UNDO.values()]
    completed = STEPS[: STEPS.index(fail_at)] if fail_at else STEPS
    if fail_at and not undos and len(completed) > 0:
        return (
            "Nothing was undone: catch the step's failure (it reaches the workflow as ActivityError, "
            "whose cause is the activity's ApplicationError) and run the undo of each completed step."
        )
    if not fail_at and undos:
        return "Nothing failed, so nothing should be undone."
    wrongly = [name for name in undos if name not in (UNDO[step] for step in completed)]
    if wrongly:
        return (
            f"{', '.join(wrongly)} undid a step that never completed: add a step's undo only once the "
            "step has returned."
        )
    if sorted(undos) == sorted(UNDO[step] for step in completed) and undos != [
        UNDO[step] for step in reversed(completed)
    ]:
        return "The undos ran in the order the steps ran: undo the last completed step first (reversed)."
    return "Undo each completed step once, the last completed first, and nothing else."
