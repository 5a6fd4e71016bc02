"""Lesson 13 exercise: a points card that continues as new before its history grows long, and
carries its points into every new run.

The learner writes the "PointsCard" workflow's run method in a ``%%module_file exercise13`` cell.
The check starts a card with 5 points and sends 30 ``add`` signals of 1 point (each one makes the
history longer). Then, with no worker running, it sends 30 more and ``close``,
so one workflow task gets them all: the close comes with a long history. It reads the whole chain
of runs: there must be more than one run, each continued run must start with the points the card
had, and the last one must return 65.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import Client, WorkflowHandle

from temporal_notebooks.runtime.exercises import (
    CheckResult,
    learner_workflow,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.widgets.history import History, fetch_run_chain

MODULE = "exercise13"
TYPE_NAME = "PointsCard"
START_POINTS = 5
ADDS = 30
EXPECTED = START_POINTS + 2 * ADDS
RESULT_TIMEOUT_S = 10.0
SETTLE_TIMEOUT_S = 5.0
TASK_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
CODE_RAISED = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE


def _start_points(run: History) -> int | None:
    """The points in the run's input (the card it started with)."""
    with contextlib.suppress(Exception):
        payload = run.events[0].workflow_execution_started_event_attributes.input.payloads[0]
        return int(json.loads(payload.data)["points"])
    return None


def _task_failure(run: History) -> str:
    """The message of the run's last workflow task that failed because the code raised, or "".
    (A task the server refused because new signals came in while it ran, cause UnhandledCommand,
    is normal before a continue-as-new: the server gives the worker a new task with the new signals.)"""
    failures = [
        e
        for e in run.events
        if e.HasField("workflow_task_failed_event_attributes")
        and e.workflow_task_failed_event_attributes.cause == CODE_RAISED
    ]
    return failures[-1].workflow_task_failed_event_attributes.failure.message if failures else ""


async def _settled(handle: WorkflowHandle) -> None:
    """Until the current run has handled every signal so far (its last event a completed task)."""
    with contextlib.suppress(TimeoutError):  # a failing task never settles: the chain will say why
        async with asyncio.timeout(SETTLE_TIMEOUT_S):
            while [e async for e in handle.fetch_history_events()][-1].event_type != TASK_COMPLETED:
                await asyncio.sleep(0.05)


async def _fill_the_card(client: Client, workflow_class: type) -> tuple[object, list[History]]:
    """Start a card and add points one signal at a time; then, with no worker running, add as many
    again and close it, so that one workflow task gets them all (a long history and the close at
    once); then a worker again, and the result: (result or exception, runs)."""
    task_queue = scoped(f"check-card-{uuid.uuid4().hex[:6]}")
    handle = await client.start_workflow(
        TYPE_NAME,
        {"owner": "check", "points": START_POINTS},
        id=scoped(f"check-card-{uuid.uuid4().hex[:8]}"),
        task_queue=task_queue,
    )
    outcome: object
    try:
        async with short_lived_worker(client, task_queue, workflows=[workflow_class]):
            await _settled(handle)  # the first run has started (a short history) before any signal
            # all at once: ADDS signals are more events than HISTORY_LIMIT, however they are batched
            await asyncio.gather(*(handle.signal("add", 1) for _ in range(ADDS)))
            await _settled(handle)
        # no worker: these wait in the history, then the close
        await asyncio.gather(*(handle.signal("add", 1) for _ in range(ADDS)))
        await handle.signal("close")
        async with short_lived_worker(client, task_queue, workflows=[workflow_class]):
            outcome = await result_in_time(handle, RESULT_TIMEOUT_S)
    except Exception as exc:
        outcome = exc
    finally:
        runs = (await fetch_run_chain(client, handle.id)).runs
        with contextlib.suppress(Exception):
            await client.get_workflow_handle(handle.id).terminate("exercise check finished")
    return outcome, runs


async def check(client: Client) -> CheckResult:
    """Pass when 30 points added to a card of 5 come back as 35 across more than one run, each
    continued run starting with the points its predecessor had."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    try:
        outcome, runs = await _fill_the_card(client, workflow_class)
    except Exception as exc:
        return not_yet(f"running it failed: {exc}")
    chain = f"{len(runs)} run(s) of {', '.join(str(len(r.events)) for r in runs)} events"
    failing = next((r for r in runs if _task_failure(r)), None)
    if failing is not None:
        return not_yet(
            f"run {runs.index(failing) + 1} of the chain cannot start its work: its workflow task fails with "
            f"{_task_failure(failing)!r}. The new run gets exactly the arguments you pass to "
            "continue_as_new: pass the card."
        )
    if isinstance(outcome, TimeoutError):
        return not_yet(
            f"no result within {RESULT_TIMEOUT_S:.0f} s of the close signal ({chain}, the last one "
            f"{runs[-1].names[-1]}): does the run continue as new even after close? The check sends the "
            "close together with a long history: once closed, return the points, long history or not."
        )
    if isinstance(outcome, BaseException):
        return not_yet(f"the card did not return its points: {outcome} ({chain}).")
    if len(runs) == 1:
        return not_yet(
            f"all {2 * ADDS} signals landed in one run, whose history grew to {len(runs[0].events)} events. "
            "Wait until the card is closed OR its history is long (get_current_history_length() >= "
            "HISTORY_LIMIT, or is_continue_as_new_suggested()), and in the second case call "
            "workflow.continue_as_new(...)."
        )
    starts = [_start_points(r) for r in runs]
    if not all(starts[1:]) or outcome != EXPECTED:
        started = ", ".join(f"run {i}: {points}" for i, points in enumerate(starts, 1))
        return not_yet(
            f"the card returned {outcome}, expected {EXPECTED} ({START_POINTS} + {2 * ADDS} × 1). The runs "
            f"started with these points: {started}. "
            + (
                "More points than were added: the card you pass already holds every point so far; "
                "add nothing to it when continuing."
                if isinstance(outcome, int) and outcome > EXPECTED
                else "A continued run starts from the arguments of continue_as_new: pass self.card, "
                "the card as it is now."
            )
        )
    return passed(
        f"{EXPECTED} points across {chain}; each run started with the points the last one had "
        f"({', '.join(map(str, starts))})."
    )
