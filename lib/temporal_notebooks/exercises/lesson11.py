"""Lesson 11 exercise: ask every shop at once (``asyncio.gather``) and let a failed quote fail the run.

The learner writes the "Cheapest" workflow in a ``%%module_file exercise11`` cell. The check runs it
for three shops and reads the history: all three ``quote_price`` activities must be scheduled by the
same workflow task (started together, not one after the other), and the cheapest quote returned
(its stand-in ``quote_price`` has the cheapest shop answer last, so taking the first answer shows).
Then it runs it with a shop that does not exist: that failure must fail the workflow (the
ActivityError let through, or an ApplicationError of the workflow's own raised from it).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError

from temporal_notebooks.activities.errors_lesson import PRICES_CENTS, Quote, quote_price
from temporal_notebooks.runtime.errors import WorkflowTaskFailedError, explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    learner_workflow,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped

MODULE = "exercise11"
TYPE_NAME = "Cheapest"
SHOPS = ["north", "south", "east"]
WITH_UNKNOWN = ["north", "atlantis"]
RESULT_TIMEOUT_S = 6.0  # a run still at work then gets longer (result_in_time): a full run once took more
CHEAPEST = min(SHOPS, key=PRICES_CENTS.__getitem__)
CHEAPEST_LATE_S = 0.5


@activity.defn(name="quote_price")
async def _cheapest_answers_last(shop: str) -> Quote:
    """quote_price, but the cheapest shop answers last: a workflow that takes the first answer shows it."""
    if shop == CHEAPEST:  # well after the others, even on a loaded machine
        await asyncio.sleep(CHEAPEST_LATE_S)
    return await quote_price(shop)


class _Stuck(Exception):
    """The run neither finished nor failed: its workflow task fails, and Temporal retries it."""


async def _task_failure(handle: WorkflowHandle) -> str | None:
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return event.workflow_task_failed_event_attributes.failure.message
    return None


async def _run(client: Client, task_queue: str, shops: list[str]) -> tuple[Any, list[int], int]:
    """Run once on ``task_queue``; (result, the workflow task that scheduled each quote activity,
    the number of local activities it ran)."""
    handle = await client.start_workflow(
        TYPE_NAME, shops, id=scoped(f"check-cheapest-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
    )
    try:
        try:
            result = await result_in_time(handle, RESULT_TIMEOUT_S)
        except (TimeoutError, WorkflowTaskFailedError):
            raise _Stuck(await _task_failure(handle) or f"no result in {RESULT_TIMEOUT_S:.0f} s") from None
        events = [event async for event in handle.fetch_history_events()]
        scheduled_by = [
            event.activity_task_scheduled_event_attributes.workflow_task_completed_event_id
            for event in events
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        ]
        local = [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
        return result, scheduled_by, len(local)
    finally:
        with contextlib.suppress(Exception):
            await handle.terminate("exercise check finished")


def _stuck_message(why: str) -> CheckResult:
    if why.startswith("no result"):  # no workflow task failed: it waits for something
        return not_yet(
            f"the run gave {why}, and none of its workflow tasks failed: does it wait for something that "
            "never comes? Await the quote activities themselves (asyncio.gather), nothing else."
        )
    hint = ""
    if "coroutine" in why:
        hint = " A coroutine where a quote should be: an execute_activity(...) call without await?"
    return not_yet(f"the workflow task fails ({why}), so the run never finishes.{hint}")


async def check(client: Client) -> CheckResult:
    """Pass when three quotes start together, the cheapest comes back, and an unknown shop fails the run."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    task_queue = scoped(f"check-cheapest-{uuid.uuid4().hex[:6]}")
    try:
        async with short_lived_worker(
            client, task_queue, workflows=[workflow_class], activities=[_cheapest_answers_last]
        ):
            return await _judge(client, task_queue)
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")


async def _judge(client: Client, task_queue: str) -> CheckResult:
    cheapest = CHEAPEST
    try:
        result, scheduled_by, local = await _run(client, task_queue, SHOPS)
    except _Stuck as stuck:
        return _stuck_message(str(stuck))
    except WorkflowFailureError as failure:
        return not_yet(f"for the shops {SHOPS} the workflow failed: {explain(failure)}")
    if local and not scheduled_by:
        return not_yet(
            f"the quotes ran as {local} local activities (execute_local_activity): they run inside the "
            "workflow's worker and leave markers, not scheduled activities. Ask the shops with "
            "workflow.execute_activity, as the cell does, and start all the calls before awaiting them."
        )
    if len(scheduled_by) != len(SHOPS):
        return not_yet(
            f"for {len(SHOPS)} shops the history has {len(scheduled_by)} quote_price activities; ask each "
            "shop once (and await the calls: an activity that is never awaited is never scheduled)."
        )
    if len(set(scheduled_by)) > 1:
        tasks = len(set(scheduled_by))
        return not_yet(
            f"the shops were asked one after the other (the quotes were scheduled by {tasks} different "
            "workflow tasks). Start all the activities first, then await them together with asyncio.gather."
        )
    if not isinstance(result, dict) or result.get("shop") != cheapest:
        return not_yet(f"it returned {result!r}; expected the cheapest quote, {cheapest}'s.")

    try:
        outcome, _, _ = await _run(client, task_queue, WITH_UNKNOWN)
    except _Stuck as stuck:
        return _stuck_message(str(stuck))
    except WorkflowFailureError as failure:
        # Any failure that fails the workflow is what the exercise asks: the ActivityError let through,
        # or the workflow's own ApplicationError raised from it.
        how = "the activity's failure" if isinstance(failure.cause, ActivityError) else "your failure"
        return passed(
            f"the {len(SHOPS)} quotes were started together and {cheapest} won; with an unknown shop "
            f"{how} failed the workflow ({explain(failure)})."
        )
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")
    return not_yet(
        f"with the shops {WITH_UNKNOWN} it returned {outcome!r}. A quote that failed should fail the "
        "workflow: let the ActivityError through (no return_exceptions=True, no except that hides it)."
    )
