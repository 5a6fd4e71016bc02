"""Lesson 05, second exercise: predict the event at which a given change breaks replay.

The change is ``ShipOrderWithPause`` (version 1 with a timer between charge and ship). The learner
reads order-1's history and names the event where replay with the new code stops. The check asks
the replay theatre (the same recording the learner then watches) where it stops, so the answer is
never hard-coded; a wrong guess gets told what kind of event it is and why replay gets past it or
never reaches it.
"""

from __future__ import annotations

import uuid

from temporalio.client import Client, WorkflowHistory

from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped

RUN_TIMEOUT_S = 15.0

# Commands leave these events; every other event is something the code only receives.
COMMAND_EVENTS = "ActivityTaskScheduled, TimerStarted, MarkerRecorded, WorkflowExecutionCompleted, …"


async def record_version_one(client: Client) -> WorkflowHistory:
    """A finished run of ShipOrderV1: the same events, in the same order, as the lesson's order-1."""
    from temporal_notebooks.activities.determinism import charge_payment, ship_parcel
    from temporal_notebooks.workflows.determinism import ShipOrderV1

    task_queue = scoped("check-ship-order")
    async with short_lived_worker(
        client, task_queue, workflows=[ShipOrderV1], activities=[charge_payment, ship_parcel]
    ):
        handle = await client.start_workflow(
            "ShipOrder",
            "order-1",
            id=scoped(f"check-ship-order-{uuid.uuid4().hex[:8]}"),
            task_queue=task_queue,
        )
        await result_in_time(handle, RUN_TIMEOUT_S)
        return await handle.fetch_history()


async def check_prediction(
    client: Client, predicted_event: object, history: WorkflowHistory | None = None
) -> CheckResult:
    """Pass when ``predicted_event`` is the event at which the replay theatre sees ShipOrderWithPause
    part from a run recorded by version 1 (``history``, or a fresh run of version 1)."""
    from temporal_notebooks.runtime.replay import record_replay
    from temporal_notebooks.workflows.determinism import ShipOrderWithPause

    if predicted_event is None or isinstance(predicted_event, bool) or not isinstance(predicted_event, int):
        return not_yet(
            f"set predicted_event to a number: the id of an event in order-1's history table, "
            f"not {predicted_event!r}."
        )
    try:
        recording = await record_replay(history or await record_version_one(client), ShipOrderWithPause)
    except Exception as exc:
        return not_yet(f"the theatre could not replay the run: {failure_text(exc)}")
    if recording.divergence is None:  # the check itself would be wrong: say so, never pass or fail on it
        return not_yet(
            "the theatre replayed the run clean, so there is nothing to predict: tell your teacher."
        )
    actual = recording.divergence["event"]
    events = {event["id"]: event["name"] for event in recording.events}
    if predicted_event == actual:
        return passed(
            f"replay parts from the history at event {actual} ({events[actual]}): the history says the "
            f"code scheduled ship_parcel there, and the new code {recording.divergence['command']} instead."
        )
    if predicted_event not in events:
        return not_yet(
            f"order-1's history has events 1 to {len(events)}; there is no event {predicted_event}."
        )
    name = events[predicted_event]
    if predicted_event > actual:
        return not_yet(
            f"replay never gets to event {predicted_event} ({name}): code and history part before it. "
            "Look for the first command the new code issues differently."
        )
    step = recording.step_for_event(predicted_event)
    if step.command:
        return not_yet(
            f"event {predicted_event} ({name}) records a command the new code still issues at that point "
            f"({step.command}), so replay gets past it. Look further on, for the first command that differs."
        )
    if name.startswith("WorkflowTask"):
        return not_yet(
            f"event {predicted_event} ({name}) marks a workflow task, not a command: the commands the code "
            "issued in that task are recorded after its WorkflowTaskCompleted. Which of them differs?"
        )
    return not_yet(
        f"event {predicted_event} ({name}) is not a command's event: the code only receives it. Replay "
        f"compares the commands the code issues with the events they recorded ({COMMAND_EVENTS})."
    )
