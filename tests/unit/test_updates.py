"""Lesson 08 on the real dev server: the cart's sync and async updates, their validators (a rejected
update leaves no trace in the history), the wait stages, the signal/query side, the form widget
(its callbacks run as a click does), and the auction exercise's check."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from temporal_notebooks.activities.updates import (
    CATALOGUE,
    PAYMENT_DELAY_S,
    CartItem,
    CartSummary,
    Receipt,
    charge_payment,
    parse_item,
)
from temporal_notebooks.runtime import explain
from temporal_notebooks.widgets.forms import UpdateForm, rejection_message
from temporal_notebooks.widgets.history import event_name
from temporal_notebooks.workflows.updates import CartWorkflow

TASK_QUEUE = f"test-updates-{uuid.uuid4().hex[:6]}"
ACCEPTED_AND_COMPLETED = ["WorkflowExecutionUpdateAccepted", "WorkflowExecutionUpdateCompleted"]


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with Worker(
        client, task_queue=TASK_QUEUE, workflows=[CartWorkflow], activities=[charge_payment]
    ) as running:
        yield running


async def new_cart(client: Client) -> WorkflowHandle:
    cart_id = f"cart-{uuid.uuid4().hex[:8]}"
    return await client.start_workflow(CartWorkflow.run, cart_id, id=cart_id, task_queue=TASK_QUEUE)


async def update_event_names(handle: WorkflowHandle) -> list[str]:
    return [
        event_name(e)
        async for e in handle.fetch_history_events()
        if event_name(e).startswith("WorkflowExecutionUpdate")
    ]


async def test_sync_update_returns_the_new_cart(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    summary = await cart.execute_update(CartWorkflow.add_item, CartItem("apple", 2))
    assert summary == CartSummary({"apple": 2}, 2 * CATALOGUE["apple"])
    summary = await cart.execute_update(CartWorkflow.add_item, CartItem("bread"))
    assert summary.items == {"apple": 2, "bread": 1}
    assert summary.total_cents == 2 * CATALOGUE["apple"] + CATALOGUE["bread"]
    assert summary.describe() == "2 × apple, 1 × bread: 3.50 €"
    assert await update_event_names(cart) == ACCEPTED_AND_COMPLETED * 2
    await cart.terminate("test done")


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (CartItem("durian", 1), "'durian' is not sold here"),
        (CartItem("apple", 0), "between 1 and 10, got 0"),
        (CartItem("apple", 11), "between 1 and 10, got 11"),
    ],
)
async def test_validator_rejects_bad_items_without_a_trace(
    client: Client, worker: Worker, item: CartItem, reason: str
) -> None:
    cart = await new_cart(client)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await cart.execute_update(CartWorkflow.add_item, item)
    assert isinstance(caught.value.cause, ApplicationError)
    assert reason in caught.value.cause.message
    assert reason in rejection_message(caught.value)
    assert "rejected" in (explain(caught.value) or "")
    assert await update_event_names(cart) == []  # nothing was written for the rejected update
    history_text = str([e async for e in cart.fetch_history_events()])
    assert "add_item" not in history_text and item.sku not in history_text
    assert (await cart.query(CartWorkflow.summary)).items == {}
    await cart.terminate("test done")


async def test_validator_sees_state_so_far(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    await cart.execute_update(CartWorkflow.add_item, CartItem("milk", 8))
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await cart.execute_update(CartWorkflow.add_item, CartItem("milk", 3))
    assert "already 8 in the cart" in rejection_message(caught.value)
    await cart.terminate("test done")


async def test_checkout_validator_rejects_an_empty_cart(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await cart.execute_update(CartWorkflow.checkout)
    assert rejection_message(caught.value) == "the cart is empty: add an item first"
    await cart.terminate("test done")


async def test_async_update_accepted_first_then_result(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    await cart.execute_update(CartWorkflow.add_item, CartItem("coffee", 2))
    started = time.perf_counter()
    update = await cart.start_update(CartWorkflow.checkout, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    accepted_after = time.perf_counter() - started
    assert accepted_after < PAYMENT_DELAY_S  # returned before the payment activity finished
    receipt = await update.result()
    assert time.perf_counter() - started >= PAYMENT_DELAY_S
    assert isinstance(receipt, Receipt)
    assert receipt.total_cents == 2 * CATALOGUE["coffee"]
    assert receipt.confirmation.startswith("PAY-")
    assert await cart.result() == receipt  # the run ends once checkout is done
    # Once checking out has begun, further changes are rejected by the validators.
    with pytest.raises(Exception):  # noqa: B017 - the workflow is closed: the server refuses
        await cart.execute_update(CartWorkflow.add_item, CartItem("apple"))


async def test_second_checkout_is_rejected_while_first_runs(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    await cart.execute_update(CartWorkflow.add_item, CartItem("bread"))
    first = await cart.start_update(CartWorkflow.checkout, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await cart.execute_update(CartWorkflow.checkout)
    assert "already checked out" in rejection_message(caught.value)
    with pytest.raises(WorkflowUpdateFailedError) as late:
        await cart.execute_update(CartWorkflow.add_item, CartItem("apple"))
    assert "already checked out" in rejection_message(late.value)
    assert (await first.result()).total_cents == CATALOGUE["bread"]


async def test_signal_cannot_reject_but_stays_in_history(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    await cart.signal(CartWorkflow.add_item_by_signal, CartItem("durian", 1))
    await cart.signal(CartWorkflow.add_item_by_signal, CartItem("apple", 3))
    summary = await cart.query(CartWorkflow.summary)
    for _ in range(100):
        if summary.items or summary.ignored_signals:
            break
        await asyncio.sleep(0.02)
        summary = await cart.query(CartWorkflow.summary)
    assert summary.items == {"apple": 3}
    assert summary.ignored_signals == 1
    names = [event_name(e) async for e in cart.fetch_history_events()]
    assert names.count("WorkflowExecutionSignaled") == 2
    history_text = str([e async for e in cart.fetch_history_events()])
    assert "durian" in history_text  # the bad signal is recorded for good
    await cart.terminate("test done")


def test_parse_item() -> None:
    assert parse_item("Apple 2") == CartItem("apple", 2)
    assert parse_item(" bread ") == CartItem("bread", 1)
    with pytest.raises(ValueError, match="whole number"):
        parse_item("apple two")
    with pytest.raises(ValueError, match="e.g. 'apple 2'"):
        parse_item("")
    with pytest.raises(ValueError, match="e.g. 'apple 2'"):
        parse_item("a b c")


async def test_form_shows_rejection_result_and_parse_errors(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    form = UpdateForm(
        cart, CartWorkflow.add_item, parse=parse_item, show=lambda s: f"In the cart: {s.describe()}"
    )
    assert form.bar.input_classes == ["tn-update-input"]
    assert form.bar.actions[0]["classes"] == ["tn-update-submit"]
    assert form.bar.enter_action == "Send update"  # Enter in the box submits
    assert form.result._dom_classes == ("tn-update-result",)

    form.click("durian 1")  # exactly what a click (or Enter) in the browser ends in
    assert form.bar.busy  # the button is disabled while the update is pending
    shown = await form.settled()
    assert not form.bar.busy
    assert form.status == "rejected"
    assert shown == "✗ Rejected: 'durian' is not sold here: choose one of apple, bread, coffee, milk"
    assert "✗ Rejected: &#x27;durian&#x27; is not sold here" in form.result.value
    assert "\n" not in shown

    shown = await form.submit("apple 2")
    assert (form.status, shown) == ("ok", "✓ In the cart: 2 × apple: 1.00 €")
    assert (await cart.query(CartWorkflow.summary)).items == {"apple": 2}

    shown = await form.submit("apple lots")
    assert form.status == "error"
    assert shown.startswith("⚠ Not sent: the quantity must be a whole number")

    # A pasted page (2,700 characters) is refused in one short line, not echoed back whole.
    pasted = "x" * 2700
    shown = await form.submit(pasted)
    assert shown == f"✗ Rejected: '{'x' * 39}…' is not sold here: choose one of apple, bread, coffee, milk"
    shown = await form.submit(f"apple {pasted}")
    assert shown == f"⚠ Not sent: the quantity must be a whole number, e.g. 'apple 2' (got '{'x' * 39}…')"
    assert await update_event_names(cart) == [
        "WorkflowExecutionUpdateAccepted",
        "WorkflowExecutionUpdateCompleted",
    ]

    await cart.terminate("test done")
    shown = await form.submit("apple 1")
    assert form.status == "error" and "closed" in shown  # a closed workflow, said in one line
    # The form learns of the end by itself: its button is disabled, with the reason beside it.
    await asyncio.wait_for(form._watcher, 10)
    assert form.closed == "terminated"
    assert form.bar.closed == "The workflow is closed (terminated): it takes no more updates."
    assert await form.submit("apple 1") == (
        "⚠ Not sent: The workflow is closed (terminated): it takes no more updates."
    )


async def test_form_says_when_no_worker_answers(client: Client) -> None:
    handle = await client.start_workflow(
        CartWorkflow.run, "nobody", id=f"cart-{uuid.uuid4().hex[:8]}", task_queue="no-worker-polls-this"
    )
    form = UpdateForm(handle, CartWorkflow.add_item, parse=parse_item, timeout_s=1.0)
    shown = await form.submit("apple 1")
    assert form.status == "error"
    assert "No answer within 1 s" in shown and "worker" in shown
    await handle.terminate("test done")


async def test_form_clicks_in_a_row_all_answer(client: Client, worker: Worker) -> None:
    cart = await new_cart(client)
    form = UpdateForm(cart, CartWorkflow.add_item, parse=parse_item, show=lambda s: s.describe())
    for _ in range(3):
        form.click("apple 1")
    await form.settled()
    assert (await cart.query(CartWorkflow.summary)).items == {"apple": 3}
    assert form.last_seconds is not None and form.last_seconds < 5
    await cart.terminate("test done")
