"""No silent hang on a run that waits for a message (issue 18): ``await cart.result()`` run before
lesson 08's checkout cell prints, after a few seconds, one line saying where the workflow waits, which
messages it takes and which cell sends the one it needs; the result follows once that message is sent.
"""

from __future__ import annotations

import re
import time

from kernel import Kernel
from temporalio.client import Client

from temporal_notebooks.activities.updates import CartItem
from temporal_notebooks.runtime import results, scoped
from temporal_notebooks.workflows.updates import CartWorkflow

CART = """
from temporal_notebooks.notebook import *
from temporalio.common import WorkflowIDConflictPolicy
from temporal_notebooks.activities.updates import charge_payment
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
