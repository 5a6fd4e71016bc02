"""No silent hang on a run that waits for a message (issue 18): ``await cart.result()`` run before
lesson 08's checkout cell prints, after a few seconds, one line saying where the workflow waits, which
messages it takes and which cell sends the one it needs; the result follows once that message is sent.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid

from kernel import Kernel
from temporalio.client import Client
from temporalio.worker import Worker

from temporal_notebooks.activities.testing_lesson import TRIAL_ACTIVITIES
from temporal_notebooks.activities.updates import CartItem
from temporal_notebooks.runtime import results, scoped
from temporal_notebooks.workflows.testing_lesson import Trial, TrialWorkflow
from temporal_notebooks.workflows.updates import CartWorkflow

CART = """
from temporal_notebooks.notebook import *
from temporalio.common import WorkflowIDConflictPolicy
from temporal_notebooks.activities.updates import charge_payment
from temporal_notebooks.workflows.testing_lesson import Trial, TrialWorkflow
from temporal_notebooks.workflows.updates import CartWorkflow

client = await connect()
worker = await start_worker(client, scoped("updates"), workflows=[CartWorkflow], activities=[charge_payment])
cart = await client.start_workflow(
    CartWorkflow.run, "demo", id=scoped("cart-waiting"), task_queue=scoped("updates"),
    id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
)
"""
RESULT_TOO_EARLY = "receipt = await cart.result()\nprint('receipt:', receipt.describe())"


async def test_a_result_awaited_before_the_message_that_ends_the_run_says_what_it_waits_for(
    client: Client,
) -> None:
    async with Kernel() as kernel:
        await kernel.ok(CART)
        msg_id = kernel.client.execute(RESULT_TOO_EARLY)
        started = time.monotonic()
        texts: list[str] = []
        sent = False
        while True:
            msg = await kernel.client.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content["text"])
            elif kind == "error":
                texts.extend(content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
            if not sent and "Still waiting" in "".join(texts):
                waited = time.monotonic() - started
                # The learner follows the line: add an item and check out (as §3 and §5 do).
                cart = client.get_workflow_handle(scoped("cart-waiting"))
                await cart.execute_update(CartWorkflow.add_item, CartItem("apple", 2))
                await cart.execute_update(CartWorkflow.checkout)
                sent = True
        lines = [line for line in "".join(texts).splitlines() if line.strip()]
        print(*lines, sep="\n")
        assert sent, lines
        assert waited >= results.WAITING_NOTICE_S
        notice, receipt = lines
        assert re.fullmatch(r"⏳ Still waiting after \d+ s: .*", notice), notice
        assert notice.split(" s: ", 1)[1] == (
            f"workflow '{scoped('cart-waiting')}' (CartWorkflow) is open and idle: no activity, timer or "
            "child workflow is pending, so only a message moves it on "
            "(signal add_item_by_signal, update add_item, update checkout); the cart ends when it is "
            "checked out: run §5's cell (`checkout = await cart.start_update(CartWorkflow.checkout, …)`), "
            "or send `checkout` yourself."
        )
        assert receipt.startswith("receipt: paid 1.00 €, confirmation ")  # 2 apples at 0.50 €
        await kernel.ok("await stop_all_workers()")


async def test_a_run_waiting_for_its_timer_is_not_waiting_for_a_message(client: Client) -> None:
    """A 30-day trial waits for time (a timer is open), not for a message: no notice. Once cancelled and
    closed, none either; and an exercise check's run ("check-…") never gets one."""
    task_queue = scoped(f"waiting-timer-{uuid.uuid4().hex[:6]}")
    async with Worker(client, task_queue=task_queue, workflows=[TrialWorkflow], activities=TRIAL_ACTIVITIES):
        trial = await client.start_workflow(
            TrialWorkflow.run, Trial("ada"), id=scoped(f"trial-{uuid.uuid4().hex[:6]}"), task_queue=task_queue
        )
        while "TimerStarted" not in [_name(e) async for e in trial.fetch_history_events()]:
            await asyncio.sleep(0.05)
        assert await results.waiting_for_message(trial) is None
        await trial.signal(TrialWorkflow.cancel)
        await trial.result()
        assert await results.waiting_for_message(trial) is None
    assert results._is_check_run(scoped("check-tally-1234"))
    assert not results._is_check_run(scoped("cart-demo"))


def _name(event) -> str:
    from temporalio.api.enums.v1 import EventType

    return EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").title().replace("_", "")
