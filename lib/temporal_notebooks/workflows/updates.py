"""Lesson 08 workflows: a shopping cart that takes changes by update. Workflow classes only.

Three ways in, side by side:
- ``add_item`` (a sync update with a validator): the caller waits and gets the new cart back;
  a bad item is rejected by the validator before anything is written to the history.
- ``checkout`` (an async update): it runs an activity, so the caller can wait for "accepted"
  and collect the receipt later.
- ``add_item_by_signal`` (a signal): fire and forget. The workflow can only ignore a bad item,
  the sender never hears why, and the signal stays in the history either way.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.updates import (
        CATALOGUE,
        MAX_QUANTITY,
        CartItem,
        CartSummary,
        PaymentRequest,
        Receipt,
        charge_payment,
        quoted,
    )


@workflow.defn
class CartWorkflow:
    """A cart that lives until it is checked out; returns the receipt."""

    def __init__(self) -> None:
        self._items: dict[str, int] = {}
        self._ignored_signals = 0
        self._checkout_started = False
        self._receipt: Receipt | None = None

    @workflow.run
    async def run(self, cart_id: str) -> Receipt:
        # Wait for checkout *and* for every update handler to finish, so no caller is left
        # without an answer when the run completes.
        await workflow.wait_condition(lambda: self._receipt is not None and workflow.all_handlers_finished())
        assert self._receipt is not None
        return self._receipt

    # --- update: sync handler, with a validator ---------------------------------------------

    @workflow.update
    def add_item(self, item: CartItem) -> CartSummary:
        """Runs only for items the validator accepted; its return value goes back to the caller."""
        self._items[item.sku] = self._items.get(item.sku, 0) + item.quantity
        return self.summary()

    @add_item.validator
    def validate_add_item(self, item: CartItem) -> None:
        """Read-only check before acceptance: raising here rejects the update, and the history
        keeps no trace of it. It must not change state or await anything."""
        problem = item_problem(item, self._items.get(item.sku, 0), self._checkout_started)
        if problem:
            raise ApplicationError(problem, type="InvalidItem")

    # --- update: async handler that runs an activity ----------------------------------------

    @workflow.update
    async def checkout(self) -> Receipt:
        """Charges the cart's total; the caller gets the receipt when the activity is done."""
        self._checkout_started = True
        self._receipt = await workflow.execute_activity(
            charge_payment,
            PaymentRequest(workflow.info().workflow_id, self._total()),
            start_to_close_timeout=timedelta(seconds=10),
        )
        return self._receipt

    @checkout.validator
    def validate_checkout(self) -> None:
        if self._checkout_started:
            raise ApplicationError("this cart is already checked out", type="AlreadyCheckedOut")
        if not self._items:
            raise ApplicationError("the cart is empty: add an item first", type="EmptyCart")

    # --- the same change as a signal, and a query to read the state --------------------------

    @workflow.signal
    def add_item_by_signal(self, item: CartItem) -> None:
        """A signal handler can't reject: the best it can do with a bad item is ignore it."""
        if item_problem(item, self._items.get(item.sku, 0), self._checkout_started):
            self._ignored_signals += 1
            return
        self._items[item.sku] = self._items.get(item.sku, 0) + item.quantity

    @workflow.query
    def summary(self) -> CartSummary:
        return CartSummary(dict(self._items), self._total(), self._ignored_signals, self._checkout_started)

    def _total(self) -> int:
        return sum(CATALOGUE[sku] * quantity for sku, quantity in self._items.items())


def item_problem(item: CartItem, already_in_cart: int, checkout_started: bool) -> str | None:
    """Why ``item`` can't go into the cart, or None when it can."""
    if checkout_started:
        return "this cart is already checked out: start a new cart"
    if item.sku not in CATALOGUE:
        return f"{quoted(item.sku)} is not sold here: choose one of {', '.join(sorted(CATALOGUE))}"
    if not 1 <= item.quantity <= MAX_QUANTITY:
        return f"the quantity must be between 1 and {MAX_QUANTITY}, got {item.quantity}"
    if already_in_cart + item.quantity > MAX_QUANTITY:
        return f"at most {MAX_QUANTITY} × {item.sku} per cart (already {already_in_cart} in the cart)"
    return None
