"""Lesson 10 activities and data types: a concert's box office and a bank account's ledger.

The handlers of lesson 10's workflows await these activities, which is exactly where two handlers
can interleave: each one gives the event loop away while its activity runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

CHARGE_DELAY_S = 0.3  # long enough that a second message arrives while the first handler waits
SHIPPING_DELAY_S = 0.5
APPROVAL_DELAY_S = 0.3
DECLINED_CARD_PREFIX = "0000"
MAX_SEATS_PER_BOOKING = 4


@dataclass
class Concert:
    """What a concert workflow starts with."""

    name: str
    seats: int


@dataclass
class Booking:
    """What one ``book`` update asks for."""

    customer: str
    seats: int
    card: str = "4242"


@dataclass
class Charge:
    customer: str
    amount_cents: int
    card: str


@dataclass
class BookingResult:
    """What a ``book`` update returns: the seats the caller got and the seats left after it."""

    customer: str
    seats: int
    seats_left: int

    def describe(self) -> str:
        return f"{self.customer} booked {self.seats}, {self.seats_left} left"


@dataclass
class AccountState:
    """A bank account's state, carried from one run to the next by continue-as-new."""

    owner: str
    balance: int = 0
    # update id -> the balance that update returned, so a retried update gets the same answer
    answered: dict[str, int] = field(default_factory=dict)
    runs: int = 1


@activity.defn
async def charge_card(charge: Charge) -> str:
    """Pretend to charge a card. A card starting with 0000 is declined, for good (no retry helps)."""
    await asyncio.sleep(CHARGE_DELAY_S)
    if charge.card.startswith(DECLINED_CARD_PREFIX):
        raise ApplicationError(f"card {charge.card} was declined", type="CardDeclined", non_retryable=True)
    return f"charged {charge.amount_cents / 100:.2f} € to {charge.customer}"


@activity.defn
async def ship_order(order: str) -> str:
    """Pretend to hand an order to a courier: it takes half a second."""
    await asyncio.sleep(SHIPPING_DELAY_S)
    return f"{order} shipped"


@activity.defn
async def approve_purchase(amount: int) -> str:
    """The exercise's wallet asks a (slow) bank to approve each purchase."""
    await asyncio.sleep(APPROVAL_DELAY_S)
    return f"approved {amount}"
