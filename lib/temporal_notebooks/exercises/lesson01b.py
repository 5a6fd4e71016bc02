"""Lesson 01b exercise: predict which steps of an order run again when the worker is stopped while
``take_payment`` is running and a new worker takes over; the check runs that experiment for real.
The learner writes the prediction as ``runs_again = {...}`` in a ``%%module_file exercise01b`` cell.

The experiment runs once per kernel (its outcome is the same every time); each check compares the
learner's prediction with what the experiment observed: in this process (every execution of a step
is recorded) and in the run's event history (how often each step was scheduled, its last attempt).
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import uuid
from collections.abc import Iterable
from typing import Any

from temporalio.client import Client

from temporal_notebooks.activities.durable import (
    STEP_NAMES,
    STEPS,
    Order,
    StepRecord,
    executions,
    has_started,
    step_records,
)
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.workflows.durable import OrderWorkflow

MODULE = "exercise01b"
SLOW_STEP = "take_payment"
EXPERIMENT_TIMEOUT_S = 30.0


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the experiment saw, per step: executions in this process, and the history's record."""

    executions: dict[str, int]
    records: list[StepRecord]

    @property
    def ran_again(self) -> set[str]:
        return {step for step, count in self.executions.items() if count > 1}

    def describe(self) -> str:
        return ", ".join(
            f"{record.step} ran {self.executions[record.step]}× (scheduled {record.scheduled}×, "
            f"completed on attempt {record.attempt})"
            for record in self.records
        )


_outcome: Outcome | None = None


async def run_experiment(client: Client) -> Outcome:
    """Start an order, stop its worker while the slow step runs, start a new worker, and record
    which steps ran how often. Run once per kernel."""
    global _outcome
    if _outcome is not None:
        return _outcome
    task_queue = scoped(f"check-durable-{uuid.uuid4().hex[:6]}")
    order = Order(f"check-{uuid.uuid4().hex[:8]}", pause_s=0.1, work_s=0.05, slow_step=SLOW_STEP)
    async with short_lived_worker(client, task_queue, workflows=[OrderWorkflow], activities=STEPS):
        handle = await client.start_workflow(
            OrderWorkflow.run, order, id=scoped(order.order_id), task_queue=task_queue
        )
        async with asyncio.timeout(EXPERIMENT_TIMEOUT_S):
            while not has_started(order.order_id, SLOW_STEP):
                await asyncio.sleep(0.02)
    # Leaving the block shut the worker down in the middle of the slow step. Now a new worker:
    try:
        async with short_lived_worker(client, task_queue, workflows=[OrderWorkflow], activities=STEPS):
            await result_in_time(handle, EXPERIMENT_TIMEOUT_S)
    finally:
        await _terminate_quietly(handle)
    records = step_records([event async for event in handle.fetch_history_events()])
    _outcome = Outcome(executions(handle.result_run_id), records)
    return _outcome


async def _terminate_quietly(handle: Any) -> None:
    try:
        await handle.terminate("exercise check finished")
    except Exception:  # already completed: nothing to clean up
        pass


def _why(step: str, predicted: bool) -> str:
    """Why a step did (not) run again, in the words of the lesson."""
    if step == SLOW_STEP:
        return (
            f"{step} was running when the worker stopped: Worker.shutdown() cancelled it and reported "
            'the attempt failed ("Worker is shutting down and this activity did not complete in time"), '
            "so the server scheduled another attempt 200 ms later (the retry policy), which the new worker "
            "ran. It ran again. (A crashed worker reports nothing: the server would retry only after the "
            "attempt's start_to_close_timeout, 30 s here.)"
        )
    if STEP_NAMES.index(step) < STEP_NAMES.index(SLOW_STEP):
        return (
            f"{step} had completed before the worker stopped: its result is in the event history, "
            "so the new worker replays the result from there instead of running it again."
        )
    return (
        f"{step} had not started when the worker stopped: the new worker ran it for the first time, "
        "once. That is running on, not running again."
    )


def _as_names(prediction: Any) -> set[str] | CheckResult:
    if isinstance(prediction, str):
        prediction = {prediction} if prediction else set()
    if isinstance(prediction, dict) or not isinstance(prediction, Iterable):
        return not_yet(
            f"runs_again should be a set of step names, like {{'reserve_items'}} or set(); "
            f"it is {prediction!r}."
        )
    names = set(prediction)
    if "TODO" in names:
        return not_yet("replace {'TODO'} with your prediction: the set of steps that run again.")
    wrong = sorted(map(str, names - set(STEP_NAMES)))
    if wrong:
        return not_yet(f"{', '.join(map(repr, wrong))} is not a step; the steps are {', '.join(STEP_NAMES)}.")
    return names


async def check(client: Client) -> CheckResult:
    """Pass when ``runs_again`` in module exercise01b names exactly the steps that ran more than once
    in the experiment."""
    module = sys.modules.get(MODULE)
    if module is None:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    if not hasattr(module, "runs_again"):
        return not_yet(f"module {MODULE} has no runs_again: write your prediction as runs_again = {{...}}.")
    names = _as_names(module.runs_again)
    if isinstance(names, CheckResult):
        return names
    try:
        outcome = await run_experiment(client)
    except Exception as exc:  # the experiment itself could not run: say so, never hang
        return not_yet(f"the experiment could not run: {type(exc).__name__}: {exc}")
    wrongly_predicted = sorted(names - outcome.ran_again, key=STEP_NAMES.index)
    missed = sorted(outcome.ran_again - names, key=STEP_NAMES.index)
    if wrongly_predicted or missed:
        reasons = [_why(step, True) for step in wrongly_predicted] + [_why(step, False) for step in missed]
        return not_yet(" ".join(reasons) + f" What happened: {outcome.describe()}.")
    return passed(
        f"only {', '.join(sorted(outcome.ran_again))} ran again. What happened: {outcome.describe()}."
    )
