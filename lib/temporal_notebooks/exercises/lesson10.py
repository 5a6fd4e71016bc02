"""Lesson 10 exercise: a wallet whose async ``spend`` update must not interleave with itself.

The learner writes the "Wallet" workflow in a ``%%module_file exercise10`` cell. Its ``spend``
handler checks the balance, awaits a slow approval activity, then takes the money. The check
starts a wallet with 100 and sends three spends of 40 at the same moment: with the handler
guarded by one ``asyncio.Lock``, two succeed (60, then 20) and the third fails with "not enough
money"; without it, all three read 100 before any of them writes, and the wallet is overdrawn.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)

from temporal_notebooks.activities.message_handlers import approve_purchase
from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    answer_in_time,
    learner_workflow,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.widgets.forms import rejection_message

MODULE = "exercise10"
TYPE_NAME = "Wallet"
UPDATE = "spend"
APPROVAL = "approve_purchase"
START_BALANCE = 100
SPENDS = [40, 40, 40]
EXPECTED_ANSWERS = [60, 20]
EXPECTED_BALANCE = 20
ANSWER_TIMEOUT_S = 8.0


async def _spend_all(client: Client, workflow_class: type) -> tuple[list[int], list[str], int, int]:
    """Three spends at once, then ``close``: (answers, failure messages, final balance, approvals asked)."""
    task_queue = scoped(f"check-wallet-{uuid.uuid4().hex[:6]}")
    async with short_lived_worker(
        client, task_queue, workflows=[workflow_class], activities=[approve_purchase]
    ):
        handle = await client.start_workflow(
            TYPE_NAME, START_BALANCE, id=scoped(f"check-wallet-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        spending = asyncio.ensure_future(_spend_on(handle))
        watching = asyncio.ensure_future(_watch_task_failures(handle))
        try:
            await asyncio.wait([spending, watching], return_when=asyncio.FIRST_COMPLETED)
            if watching.done():
                raise _TaskFails(watching.result())
            return spending.result()
        finally:
            for task in (spending, watching):
                task.cancel()
            await asyncio.gather(spending, watching, return_exceptions=True)
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")


class _TaskFails(Exception):
    """The workflow task fails (and Temporal retries it): what it says."""


async def _watch_task_failures(handle: WorkflowHandle) -> str:
    """Returns what the first failed workflow task says, as soon as the history has one."""
    while True:
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                return event.workflow_task_failed_event_attributes.failure.message
        await asyncio.sleep(0.3)


async def _spend_on(handle: WorkflowHandle) -> tuple[list[int], list[str], int, int]:
    outcomes = await answer_in_time(
        handle,
        asyncio.gather(
            *(handle.execute_update(UPDATE, amount, result_type=int) for amount in SPENDS),
            return_exceptions=True,
        ),
        ANSWER_TIMEOUT_S,
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, WorkflowUpdateFailedError):
            raise outcome
    await handle.signal("close")
    balance = await result_in_time(handle, ANSWER_TIMEOUT_S)
    approvals = [
        event
        async for event in handle.fetch_history_events()
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == APPROVAL
    ]
    answers = sorted((o for o in outcomes if isinstance(o, int)), reverse=True)
    failures = [rejection_message(o) for o in outcomes if isinstance(o, WorkflowUpdateFailedError)]
    return answers, failures, balance, len(approvals)


async def check(client: Client) -> CheckResult:
    """Pass when three simultaneous spends of 40 from 100 give 60, 20 and one refusal, balance 20."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    try:
        answers, failures, balance, approvals = await _spend_all(client, workflow_class)
    except _TaskFails as fails:
        hint = (
            " An exception other than ApplicationError in a handler fails the workflow task, which "
            "Temporal retries: refuse a spend with ApplicationError."
        )
        if "deadlock" in str(fails).lower() or "threading" in str(fails):
            hint = (
                " A threading.Lock blocks the workflow's only thread while another spend holds it; use "
                "an asyncio.Lock, which lets the waiting spend give way at the await."
            )
        return not_yet(f"the workflow task fails ({fails}), so the spends get no answer.{hint}")
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        return not_yet(
            f"no answer within {ANSWER_TIMEOUT_S:.0f} s: does the handler raise something other than "
            "ApplicationError (that fails the workflow task, which Temporal retries), or does the run "
            "never return after close?"
        )
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")
    spends = " + ".join(map(str, SPENDS))
    if balance < 0 or len(answers) > len(EXPECTED_ANSWERS):
        return not_yet(
            f"{spends} sent at once from {START_BALANCE} were all approved and the balance ended at "
            f"{balance}: each handler checked the balance, then gave way at the await while the others "
            "checked the same old balance. Hold one asyncio.Lock (made once, in __init__) around the "
            "check, the await and the write."
        )
    if answers != EXPECTED_ANSWERS or len(failures) != 1 or balance != EXPECTED_BALANCE:
        return not_yet(
            f"{spends} sent at once from {START_BALANCE} answered {answers} with {len(failures)} "
            f"refusal(s) ({'; '.join(failures) or 'none'}) and left {balance}; expected the answers "
            f"{EXPECTED_ANSWERS}, one refusal and a balance of {EXPECTED_BALANCE}."
        )
    if approvals != len(EXPECTED_ANSWERS):
        return not_yet(_approvals_problem(approvals))
    return passed(
        f"{spends} at once from {START_BALANCE}: answered {answers}, the third was refused "
        f"({failures[0]}), balance {balance}. One spend at a time, even across the await."
    )


def _approvals_problem(approvals: int) -> str:
    """What is wrong when the bank was not asked exactly once per spend that went through."""
    paid = len(EXPECTED_ANSWERS)
    if approvals < paid:
        return (
            f"the answers are right, but the bank was asked to approve {approvals} purchase(s) for {paid} "
            f"spends that went through: every spend must be approved ({APPROVAL}) before the money is "
            "taken. Keep the await, and make it safe with an asyncio.Lock around the check, the "
            "approval and the write."
        )
    return (
        f"the answers are right, but the bank was asked to approve {approvals} purchases while only "
        f"{paid} could be paid: the third spend was approved before it was refused. A balance checked "
        "again after the await is still a race (with other timing the approvals cross again); hold "
        "one asyncio.Lock around the check, the approval and the write, so a spend that cannot be "
        "paid is refused before the bank is asked."
    )
