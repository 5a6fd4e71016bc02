"""Lesson 08 activities and data types: a shopping cart's catalogue and its payment step.

The cart workflow (``workflows/updates.py``) takes items by update, so a bad item is refused
before it is written to the history; checking out is an async update that runs the payment
activity below and returns its receipt to the caller.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio import activity

# Prices in cents. A constant, so workflow code (validators included) may read it deterministically.
CATALOGUE: dict[str, int] = {"apple": 50, "bread": 250, "coffee": 400, "milk": 120}
MAX_QUANTITY = 10
PAYMENT_DELAY_S = 0.5  # a slow payment provider, so the stages of an async update are visible


@dataclass
class CartItem:
    """What one ``add_item`` update asks for; a dataclass so fields can be added later."""

    sku: str
    quantity: int = 1


@dataclass
class CartSummary:
    """What the cart holds: the value an ``add_item`` update returns and the ``summary`` query shows."""

    items: dict[str, int] = field(default_factory=dict)
    total_cents: int = 0
    ignored_signals: int = 0
    checked_out: bool = False

    def describe(self) -> str:
        """One line for a learner: ``2 × apple, 1 × bread: 3.50 €``."""
        if not self.items:
            return "the cart is empty"
        lines = ", ".join(f"{quantity} × {sku}" for sku, quantity in self.items.items())
        return f"{lines}: {format_price(self.total_cents)}"


@dataclass
class PaymentRequest:
    cart_id: str
    total_cents: int


@dataclass
class Receipt:
    """What the ``checkout`` update returns once the payment activity has finished."""

    cart_id: str
    total_cents: int
    confirmation: str

    def describe(self) -> str:
        return f"paid {format_price(self.total_cents)}, confirmation {self.confirmation}"


def format_price(cents: int) -> str:
    return f"{cents / 100:.2f} €"


def quoted(text: str, limit: int = 40) -> str:
    """``text`` in quotes for a one-line answer, cut to ``limit`` characters: a refusal names what it
    refuses without echoing a pasted page back."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def parse_item(text: str) -> CartItem:
    """``"apple 2"`` → ``CartItem("apple", 2)``; the quantity may be left out (1).

    Only the *form* of the text is checked here; whether the item is sold and the quantity
    allowed is the workflow's validator's decision, so every client gets the same answer.
    """
    words = text.strip().lower().split()
    if not words or len(words) > 2:
        raise ValueError(f"write an item and a quantity, e.g. 'apple 2' (got {quoted(text.strip())})")
    if len(words) == 1:
        return CartItem(words[0])
    try:
        quantity = int(words[1])
    except ValueError:
        raise ValueError(
            f"the quantity must be a whole number, e.g. 'apple 2' (got {quoted(words[1])})"
        ) from None
    return CartItem(words[0], quantity)


@activity.defn
async def charge_payment(request: PaymentRequest) -> Receipt:
    """Pretend to charge a card. Side effects live in activities, never in update handlers."""
    await asyncio.sleep(PAYMENT_DELAY_S)
    run_id = activity.info().workflow_run_id or "local"
    return Receipt(request.cart_id, request.total_cents, f"PAY-{run_id[-8:].upper()}")
