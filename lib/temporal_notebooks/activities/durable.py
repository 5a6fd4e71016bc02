"""Lesson 01b activities: the four steps of an order. Each records that it ran, so a notebook can
compare what really ran in this process with what the event history says."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime
from collections.abc import Iterable
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import PendingActivityState


@dataclasses.dataclass
class Order:
    """An order and how slowly to process it (short pauses keep the lesson quick)."""

    order_id: str
    pause_s: float = 1.0  # the durable timer between two steps
    work_s: float = 0.1  # how long each step works
    slow_step: str = ""  # this step's first attempt works for slow_s (to stop a worker in the middle of it)
    slow_s: float = 5.0
    hold_after: int = 0  # after this many steps the order waits for its go_on signal (0: never)
    step_timeout_s: float = 30.0  # each attempt's start_to_close_timeout: when a crashed attempt is retried


@dataclasses.dataclass(frozen=True)
class StepRun:
    """One execution of a step in this process."""

    order_id: str
    run_id: str
    step: str
    attempt: int


RUNS: list[StepRun] = []  # every step execution in this process, oldest first


async def _work(step: str, order: Order) -> str:
    info = activity.info()
    RUNS.append(StepRun(order.order_id, info.workflow_run_id, step, info.attempt))
    slow = step == order.slow_step and info.attempt == 1
    await asyncio.sleep(order.slow_s if slow else order.work_s)
    return f"{step} done"


@activity.defn
async def reserve_items(order: Order) -> str:
    return await _work("reserve_items", order)


@activity.defn
async def take_payment(order: Order) -> str:
    return await _work("take_payment", order)


@activity.defn
async def pack_and_ship(order: Order) -> str:
    return await _work("pack_and_ship", order)


@activity.defn
async def email_receipt(order: Order) -> str:
    return await _work("email_receipt", order)


STEPS = [reserve_items, take_payment, pack_and_ship, email_receipt]
STEP_NAMES = [step.__name__ for step in STEPS]


def executions(run_id: str) -> dict[str, int]:
    """How many times each step of a workflow run ran in this process (0 for steps that never ran)."""
    counts = collections.Counter(run.step for run in RUNS if run.run_id == run_id)
    return {name: counts[name] for name in STEP_NAMES}


def has_started(order_id: str, step: str) -> bool:
    """Whether ``step`` of the order has started in this process."""
    return any(run.order_id == order_id and run.step == step for run in RUNS)


@dataclasses.dataclass(frozen=True)
class StepRecord:
    """What a run's event history says about one step."""

    step: str
    scheduled: int  # ActivityTaskScheduled events: how often the workflow asked for the step
    attempt: int  # the attempt that completed it (0: not started yet)
    worker: str  # the identity of the worker that ran that attempt

    def __str__(self) -> str:
        where = self.worker[self.worker.find("worker #") :] if "worker #" in self.worker else self.worker
        ran = f"attempt {self.attempt} ran on {where}" if self.attempt else "not run yet"
        return f"{self.step:14} scheduled {self.scheduled}× · {ran}"


def step_records(events: Iterable[Any]) -> list[StepRecord]:
    """Per step of an order, from its history events (``History.events`` or ``fetch_history_events``)."""
    names: dict[int, str] = {}
    scheduled = dict.fromkeys(STEP_NAMES, 0)
    started: dict[str, tuple[int, str]] = {}
    for event in events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            names[event.event_id] = name
            scheduled[name] = scheduled.get(name, 0) + 1
        elif event.HasField("activity_task_started_event_attributes"):
            attributes = event.activity_task_started_event_attributes
            started[names[attributes.scheduled_event_id]] = (attributes.attempt, attributes.identity)
    return [StepRecord(name, count, *started.get(name, (0, ""))) for name, count in scheduled.items()]


def pending_step(description: Any) -> str:
    """What the server says now about the step in flight, from ``handle.describe()``: a running
    attempt is not in the history yet, only in the run's pending activities."""
    pending = description.raw_description.pending_activities
    if not pending:
        return "no step in flight"
    step = pending[0]
    state = PendingActivityState.Name(step.state).removeprefix("PENDING_ACTIVITY_STATE_").lower()
    text = f"{step.activity_type.name} attempt {step.attempt} {state}"
    if step.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED:
        text += f" on {step.last_worker_identity}"
    if step.HasField("last_failure"):
        text += f" (attempt {step.attempt - 1} ended: {step.last_failure.message})"
    return text


@dataclasses.dataclass(frozen=True)
class Retry:
    """When the history says a step was scheduled, and when its retry started and why."""

    step: str
    scheduled_at: datetime.datetime
    retried_at: datetime.datetime  # the ActivityTaskStarted of the attempt that ended the step
    attempt: int
    worker: str
    last_failure: str  # why the attempt before it ended

    @property
    def waited_s(self) -> float:
        return (self.retried_at - self.scheduled_at).total_seconds()

    def __str__(self) -> str:
        return (
            f"{self.step} scheduled at {self.scheduled_at:%H:%M:%S.%f}"[:-3]
            + f"\nattempt {self.attempt} started {self.waited_s:.1f} s later on {self.worker}"
            + f"\nwhy attempt {self.attempt - 1} ended: {self.last_failure}"
        )


def retried_step(events: Iterable[Any], step: str) -> Retry:
    """The retry of ``step`` as its run's history records it (``History.events``)."""
    scheduled: dict[int, datetime.datetime] = {}
    for event in events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            if event.activity_task_scheduled_event_attributes.activity_type.name == step:
                scheduled[event.event_id] = event.event_time.ToDatetime(datetime.UTC)
        elif event.HasField("activity_task_started_event_attributes"):
            started = event.activity_task_started_event_attributes
            if started.scheduled_event_id in scheduled and started.attempt > 1:
                return Retry(
                    step,
                    scheduled[started.scheduled_event_id],
                    event.event_time.ToDatetime(datetime.UTC),
                    started.attempt,
                    started.identity,
                    started.last_failure.message,
                )
    raise LookupError(f"the history shows no retry of {step}")
