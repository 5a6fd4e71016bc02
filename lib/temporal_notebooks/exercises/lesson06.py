"""Lesson 06 exercise: a "Tally" workflow that counts votes sent by a signal named "cast vote".

The learner writes the signal handler in a ``%%module_file exercise06`` cell. The check runs the
workflow on a short-lived worker of its own, sends the first vote with Signal-With-Start (so the
handler must work in the very first workflow task) and two more by ordinary signals, then the
``close`` signal, and compares the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    learner_workflow,
    not_yet,
    passed,
)
from temporal_notebooks.runtime.learner import scoped

MODULE = "exercise06"
TYPE_NAME = "Tally"
SIGNAL = "cast vote"
VOTES = ["tea", "tea", "coffee"]
EXPECTED = {"tea": 2, "coffee": 1}
TIMEOUT_S = 15.0


def signal_names(workflow_class: type) -> list[str]:
    definition = workflow._Definition.from_class(workflow_class)
    return sorted(name for name in (definition.signals if definition else {}) if name)


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
            for option in VOTES[1:]:
                await handle.signal(SIGNAL, option)
            await handle.signal("close")
            return await asyncio.wait_for(handle.result(), TIMEOUT_S)
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")


async def check(client: Client) -> CheckResult:
    """Pass when votes tea, tea, coffee sent as "cast vote" signals give {"tea": 2, "coffee": 1}."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    try:
        result = await run_tally(client, workflow_class)
    except TimeoutError:
        return not_yet('the workflow did not finish after the "close" signal; keep the given close handler.')
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")
    if result != EXPECTED:
        names = signal_names(workflow_class)
        hint = (
            f' Your workflow has no signal named "{SIGNAL}" (its signals: {", ".join(names)}): '
            f'set it with @workflow.signal(name="{SIGNAL}").'
            if SIGNAL not in names
            else ""
        )
        votes = ", ".join(VOTES)
        return not_yet(f"after the votes {votes} it returned {result!r}; expected {EXPECTED!r}.{hint}")
    return passed(f'"{SIGNAL}" counted every vote, including the one sent with Signal-With-Start: {result}.')
