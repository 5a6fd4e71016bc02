"""Lesson 08 exercise: an auction whose ``place_bid`` update has a validator.

The learner writes ``AuctionWorkflow`` in a ``%%module_file exercise08`` cell. The check runs it
on a short-lived worker of its own and places bids by update: a bid that does not beat the
highest one must be rejected by the validator (and so leave no trace in the history), a higher
one accepted and answered with the new highest bid.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)

from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    not_yet,
    passed,
    short_lived_worker,
    workflow_type_name,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.widgets.forms import rejection_message

MODULE = "exercise08"
CLASS_NAME = "AuctionWorkflow"
UPDATE = "place_bid"
ANSWER_TIMEOUT_S = 5.0


class _Rejected(Exception):
    """The update was rejected (by the validator, as the exercise wants for low bids)."""


async def _bid(handle: WorkflowHandle, amount: int) -> int:
    try:
        return await asyncio.wait_for(
            handle.execute_update(UPDATE, amount, result_type=int), ANSWER_TIMEOUT_S
        )
    except WorkflowUpdateFailedError as exc:
        raise _Rejected(rejection_message(exc)) from None


async def _accepted_updates(handle: WorkflowHandle) -> int:
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return len([event async for event in handle.fetch_history_events() if event.event_type == accepted])


async def _judge(handle: WorkflowHandle) -> CheckResult:
    try:
        first = await _bid(handle, 10)
    except _Rejected as exc:
        return not_yet(f"the first bid, 10, on a fresh auction was rejected ({exc}); it should be accepted.")
    if first != 10:
        return not_yet(
            f"after a first bid of 10, {UPDATE} returned {first!r}; it should return the highest bid, 10: "
            "an update answers its caller with the handler's return value."
        )
    for low in (5, 10):
        try:
            answer = await _bid(handle, low)
        except _Rejected:
            continue
        equal = " (an equal bid does not beat it: compare with <=)" if low == 10 else ""
        return not_yet(
            f"a bid of {low} after the highest bid 10 was accepted (it returned {answer!r}){equal}. "
            "The validator should raise for a bid that does not beat the highest bid."
        )
    try:
        higher = await _bid(handle, 25)
    except _Rejected as exc:
        return not_yet(f"a bid of 25 after 10 was rejected ({exc}); a higher bid should be accepted.")
    if higher != 25:
        return not_yet(f"after bids 10 and 25, {UPDATE} returned {higher!r}; it should return 25.")
    accepted = await _accepted_updates(handle)
    if accepted != 2:
        return not_yet(
            f"the history holds {accepted} accepted updates; expected 2 (bids 10 and 25): the low bids "
            "were refused by the update handler after being accepted and recorded. Raise in the "
            "validator (@place_bid.validator), which refuses before anything is written."
        )
    return passed(
        "bids 10 and 25 were accepted and answered with the highest bid; 5 and 10 were rejected by "
        "the validator and left no trace in the history."
    )


def _find_class() -> type | None:
    module = sys.modules.get(MODULE)
    candidate = getattr(module, CLASS_NAME, None) if module else None
    if isinstance(candidate, type):
        try:
            workflow_type_name(candidate)
        except ValueError:
            return None
        return candidate
    return None


async def check(client: Client) -> CheckResult:
    """Pass when low bids are rejected by the validator and higher ones accepted and answered."""
    if MODULE not in sys.modules:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    workflow_class = _find_class()
    if workflow_class is None:
        return not_yet(f"no @workflow.defn class {CLASS_NAME} in module {MODULE}.")
    task_queue = scoped(f"check-auction-{uuid.uuid4().hex[:6]}")
    try:
        async with short_lived_worker(client, task_queue, workflows=[workflow_class]):
            handle = await client.start_workflow(
                workflow_type_name(workflow_class),
                "a teapot",
                id=scoped(f"check-auction-{uuid.uuid4().hex[:8]}"),
                task_queue=task_queue,
            )
            try:
                return await _judge(handle)
            finally:
                with contextlib.suppress(Exception):
                    await handle.terminate("exercise check finished")
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        return not_yet(
            f"a bid got no answer within {ANSWER_TIMEOUT_S:.0f} s: does the workflow's code raise? "
            "(an exception in a handler fails the workflow task, and Temporal retries it)."
        )
    except Exception as exc:
        return not_yet(f"running it failed: {failure_text(exc)}")
