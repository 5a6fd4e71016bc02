"""Lesson 06 exercise: a "Tally" workflow that counts votes sent by a signal named "cast vote".

The learner writes the signal handler in a ``%%module_file exercise06`` cell. The check runs the
workflow on a short-lived worker of its own, sends the first vote with Signal-With-Start (so the
handler must work in the very first workflow task) and two more by ordinary signals, signals of
other names that must not count, then the ``close`` signal, and compares the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    result_in_time,
)
from temporal_notebooks.runtime.learner import scoped

MODULE = "exercise06"
TYPE_NAME = "Tally"
SIGNAL = "cast vote"
VOTES = ["coffee", "tea", "tea"]  # the first one, coffee, comes with Signal-With-Start
# Signals of other names the tally must not count (a dynamic handler that counts every name would).
STRAY_SIGNALS = [("vote", "water"), ("cast_vote", "juice")]
EXPECTED = {"tea": 2, "coffee": 1}
TIMEOUT_S = 15.0


def signal_names(workflow_class: type) -> list[str]:
    definition = workflow._Definition.from_class(workflow_class)
    return sorted(name for name in (definition.signals if definition else {}) if name)


async def _first_task_done(handle: WorkflowHandle) -> None:
    ended = {EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED}
    while not [e async for e in handle.fetch_history_events() if e.event_type in ended]:
        await asyncio.sleep(0.05)


async def run_tally(client: Client, workflow_class: type) -> dict:
    """Start with the first vote (Signal-With-Start), send the others and ``close``, return the result."""
    task_queue = scoped(f"check-{TYPE_NAME}")
    async with Worker(client, task_queue=task_queue, workflows=[workflow_class]):
        handle = await client.start_workflow(
            TYPE_NAME,
            id=scoped(f"check-tally-{uuid.uuid4().hex[:8]}"),
            task_queue=task_queue,
            start_signal=SIGNAL,
            start_signal_args=[VOTES[0]],
        )
        try:
            # The other votes come after the first workflow task, so a first vote lost there shows.
            await asyncio.wait_for(_first_task_done(handle), TIMEOUT_S)
            for option in VOTES[1:]:
                await handle.signal(SIGNAL, option)
            for name, option in STRAY_SIGNALS:
                await handle.signal(name, option)
            await handle.signal("close")
            return await result_in_time(handle, TIMEOUT_S)
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")


async def check(client: Client) -> CheckResult:
    """Pass when votes coffee, tea, tea sent as "cast vote" signals give {"tea": 2, "coffee": 1}."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    try:
        result = await run_tally(client, workflow_class)
    except TimeoutError:
        return not_yet('the workflow did not finish after the "close" signal; keep the given close handler.')
    except Exception as exc:
        return not_yet(f"running it failed: {failure_text(exc)}")
    counted = [f"'{name}'" for name, option in STRAY_SIGNALS if isinstance(result, dict) and option in result]
    if counted and (SIGNAL in signal_names(workflow_class) or _has_dynamic_signal(workflow_class)):
        return not_yet(
            f"signals named {' and '.join(counted)} were counted as votes too (it returned {result!r}): only "
            f'"{SIGNAL}" is a vote. A dynamic handler receives every name; register '
            f'@workflow.signal(name="{SIGNAL}") instead, or ignore any other name.'
        )
    if result != EXPECTED or counted:
        return not_yet(
            f"after the votes {', '.join(VOTES)} it returned {result!r}; expected {EXPECTED!r}. "
            + _what_went_wrong(workflow_class, result)
        )
    return passed(f'"{SIGNAL}" counted every vote, including the one sent with Signal-With-Start: {result}.')


def _has_dynamic_signal(workflow_class: type) -> bool:
    definition = workflow._Definition.from_class(workflow_class)
    return definition is not None and None in definition.signals


def _what_went_wrong(workflow_class: type, result: object) -> str:
    names = signal_names(workflow_class)
    if SIGNAL not in names:
        return (
            f'Your workflow has no signal named "{SIGNAL}" (its signals: {", ".join(names)}): '
            f'set it with @workflow.signal(name="{SIGNAL}").'
        )
    if result == {}:
        return (
            "The handler ran but self.votes stayed empty: a signal's return value goes nowhere, so the "
            "handler must change the workflow's state (self.votes)."
        )
    if isinstance(result, dict) and VOTES[0] not in result:
        return (
            f"The first vote ({VOTES[0]}, sent with Signal-With-Start) was lost: its handler runs before "
            "run() starts, so set up self.votes in __init__, never reset it in run()."
        )
    if isinstance(result, dict) and set(result) == set(EXPECTED) and all(v == 1 for v in result.values()):
        return "Each option counts once: every signal must add one to its option's count."
    return "Every signal must add one vote for its option to self.votes."
