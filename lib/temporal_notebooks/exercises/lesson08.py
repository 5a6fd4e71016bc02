"""Lesson 08 exercise: an auction whose ``place_bid`` update has a validator.

The learner writes ``AuctionWorkflow`` in a ``%%module_file exercise08`` cell. The check runs it
on a short-lived worker of its own and places bids by update: a bid that does not beat the
highest one must be rejected by the validator (and so leave no trace in the history), a higher
one accepted and answered with the new highest bid. The worker keeps no workflow in its cache, so
every bid is judged by an auction rebuilt from the history, as after a worker restart: a validator
that keeps the highest bid itself (it never runs on replay) shows there; and the validator, called
on a copy, must change nothing.
"""

from __future__ import annotations

import contextlib
import sys
import uuid

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)

from temporal_notebooks.runtime.exercises import (
    CheckResult,
    answer_in_time,
    failure_text,
    not_yet,
    passed,
    short_lived_worker,
    state_changed_by,
    workflow_type_name,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.widgets.forms import rejection_message

MODULE = "exercise08"
CLASS_NAME = "AuctionWorkflow"
UPDATE = "place_bid"
ANSWER_TIMEOUT_S = 5.0
# What a rejection says when the exception had no message (e.g. a bare `assert`): the SDK's placeholder.
NO_MESSAGE = {"", "Application error"}


class _Rejected(Exception):
    """The update was rejected (by the validator, as the exercise wants for low bids)."""


async def _bid(handle: WorkflowHandle, amount: int) -> int:
    try:
        return await answer_in_time(
            handle, handle.execute_update(UPDATE, amount, result_type=int), ANSWER_TIMEOUT_S
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
        except _Rejected as exc:
            if str(exc).strip() in NO_MESSAGE:
                return not_yet(
                    f"a bid of {low} after the highest bid 10 was rejected, but with no message: the "
                    "bidder learns nothing. Raise an exception whose message says why, e.g. "
                    'ApplicationError(f"a bid must beat {self.highest_bid}").'
                )
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
    try:  # every task replays the run (no cache), as after a worker restart: validators do not run again
        after_restart = await _bid(handle, 20)
    except _Rejected:
        after_restart = None
    if after_restart is not None:
        return not_yet(
            f"after bids 10 and 25, a bid of 20 was accepted once the worker had to rebuild the auction "
            f"from its history (it returned {after_restart!r}): the highest bid was kept by the validator, "
            "which is not recorded and never runs on replay. The validator must only read; set "
            "self.highest_bid in the update handler."
        )
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


def _changed_by_validator(workflow_class: type) -> list[str]:
    definition = workflow._Definition.from_class(workflow_class)
    update = definition.updates.get(UPDATE) if definition else None
    if update is None or update.validator is None:
        return []
    return state_changed_by(update.validator, workflow_class, {"highest_bid": 10}, 15)


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
        changed = _changed_by_validator(workflow_class)
        if changed:
            return not_yet(
                f"the validator changes {', '.join(changed)}: a validator must only read and raise to "
                "reject. It is not recorded in the history and never runs on replay, so what it changes "
                "is lost when a worker restarts; change the state in the update handler."
            )
        # No cache: each workflow task rebuilds the auction from its history, as a new worker would.
        async with short_lived_worker(client, task_queue, workflows=[workflow_class], max_cached_workflows=0):
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
