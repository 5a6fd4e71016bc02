"""Lesson 07 exercise: a query named "steps left" on a "Countdown" workflow.

The learner writes the query in a ``%%module_file exercise07`` cell. The check runs the workflow
on a short-lived worker of its own and asks "steps left" while it counts down, and again once it
has finished (a closed workflow still answers). Each answer must be the real count: the history
read just before and just after the query bounds it (a timer fired and processed before the
query has been counted down; one not fired yet by the end of the query has not). A query must
only read: the run must still take one timer per step, and the handler, called on a copy, must
change nothing. A query set with ``workflow.set_query_handler`` counts as well as a decorated one.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.worker import Worker

from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    state_changed_by,
)
from temporal_notebooks.runtime.learner import scoped

MODULE = "exercise07"
TYPE_NAME = "Countdown"
QUERY = "steps left"
START = 3
TIMEOUT_S = 15.0


def query_names(workflow_class: type) -> list[str]:
    definition = workflow._Definition.from_class(workflow_class)
    return sorted(name for name in (definition.queries if definition else {}) if name)


@dataclass
class Countdown:
    """What the check saw: each answer with the real count's bounds, the end, the run's timers."""

    answers: list[tuple[object, int, int]] = field(default_factory=list)  # (answer, lowest, highest)
    after_end: object = None
    result: object = None
    timers: int = 0


async def _timers(handle: WorkflowHandle) -> tuple[int, int, int]:
    """(timers fired and processed by a completed workflow task, timers fired, timers started)."""
    processed = fired = started = 0
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            fired += 1
        elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            started += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            processed = fired
    return processed, fired, started


async def run_countdown(client: Client, workflow_class: type) -> Countdown:
    seen = Countdown()
    task_queue = scoped(f"check-{TYPE_NAME}")
    async with Worker(client, task_queue=task_queue, workflows=[workflow_class]):
        handle = await client.start_workflow(
            TYPE_NAME, START, id=scoped(f"check-countdown-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        result_task = asyncio.ensure_future(handle.result())
        # A query that fails ends the check before the result: read the terminated run's error then,
        # or the task logs "Task exception was never retrieved" with a traceback under a later cell.
        result_task.add_done_callback(lambda task: task.cancelled() or task.exception())
        try:
            while not result_task.done():
                processed, _, _ = await _timers(handle)
                answer = await handle.query(QUERY)
                _, fired, _ = await _timers(handle)
                seen.answers.append((answer, START - fired, START - processed))
                await asyncio.sleep(0.1)
            seen.result = await asyncio.wait_for(result_task, TIMEOUT_S)
            seen.after_end = await handle.query(QUERY)
            seen.timers = (await _timers(handle))[2]
            return seen
        finally:
            result_task.cancel()
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")


def _query_failed(workflow_class: type, exc: WorkflowQueryFailedError) -> CheckResult:
    if "not found" in exc.message:
        names = ", ".join(query_names(workflow_class)) or "none"
        return not_yet(
            f'the workflow has no query named "{QUERY}" (its queries: {names}): '
            f'set the name with @workflow.query(name="{QUERY}").'
        )
    return not_yet(f'asking "{QUERY}" failed: {exc.message}')


def _changed_by_query(workflow_class: type) -> list[str]:
    definition = workflow._Definition.from_class(workflow_class)
    handler = definition.queries.get(QUERY) if definition else None
    return state_changed_by(handler.fn, workflow_class, {"left": 2}) if handler else []


def _changes_state(what: str) -> CheckResult:
    return not_yet(
        f'the "{QUERY}" query changes the workflow\'s state ({what}). A query must only read (return '
        "self.left): it is not recorded in the history, so a change it makes is lost on replay."
    )


async def check(client: Client) -> CheckResult:
    """Pass when "steps left" answers the real count 3 → 0 while running and 0 after the end."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    changed = _changed_by_query(workflow_class)
    if changed:
        return _changes_state("it sets " + ", ".join(f"self.{name}" for name in changed))
    try:
        seen = await asyncio.wait_for(run_countdown(client, workflow_class), 30)
    except WorkflowQueryFailedError as exc:
        return _query_failed(workflow_class, exc)
    except Exception as exc:
        return not_yet(f"running it failed: {failure_text(exc)}")
    answers = [answer for answer, _, _ in seen.answers]
    if any(not isinstance(a, int) or isinstance(a, bool) for a in answers):
        return not_yet(
            f'counting down from {START}, "{QUERY}" answered {answers}: return the number itself (an int, '
            "self.left), not a text or another value."
        )
    if not answers or any(not 0 <= a <= START for a in answers):
        return not_yet(
            f'counting down from {START}, "{QUERY}" answered {answers}; expected {START}…0: return '
            "self.left, the steps still to go."
        )
    if answers != sorted(answers, reverse=True) or len(set(answers)) < 2:
        return not_yet(
            f'"{QUERY}" answered {answers} while counting down: it should go down step by step, as '
            "self.left does."
        )
    if seen.timers != START:
        return _changes_state(f"counting down from {START}, the run took {seen.timers} timers, not {START}")
    for answer, lowest, highest in seen.answers:
        if not lowest <= answer <= highest:
            real = str(lowest) if lowest == highest else f"{lowest}–{highest}"
            return not_yet(
                f'"{QUERY}" answered {answer} when the countdown had {real} steps left (its answers: '
                f"{answers}): return self.left, the real number of steps still to go."
            )
    if seen.after_end != 0:
        return not_yet(f'after the countdown, "{QUERY}" answered {seen.after_end!r}; expected 0.')
    steps = " → ".join(str(a) for a in dict.fromkeys(answers))
    return passed(
        f'"{QUERY}" answered {steps} while running, each the real count, and 0 after the end '
        f"(result {seen.result!r})."
    )
