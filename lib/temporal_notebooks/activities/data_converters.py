"""Lesson 16 activities and data types: a payment as Pydantic models, charged by one activity.

The card number is what the payload codec keeps out of the server's history.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from temporalio import activity
from temporalio.exceptions import ApplicationError


class Card(BaseModel):
    holder: str
    number: str = Field(pattern=r"^[0-9 ]{12,23}$")


class Payment(BaseModel):
    payment_id: str
    card: Card
    amount: Decimal  # money: never a float
    due: date


class Receipt(BaseModel):
    payment_id: str
    amount: Decimal
    charged_at: datetime
    card_ending: str

    def describe(self) -> str:
        return f"{self.payment_id}: {self.amount} charged to the card ending {self.card_ending}"


@activity.defn
async def charge_card(payment: Payment) -> Receipt:
    """A card ending in 0000 is declined; the error names the card, as real error messages do."""
    await asyncio.sleep(0.05)
    if payment.card.number.endswith("0000"):
        raise ApplicationError(f"card {payment.card.number} was declined", non_retryable=True)
    return Receipt(
        payment_id=payment.payment_id,
        amount=payment.amount,
        charged_at=datetime.now(UTC),
        card_ending=payment.card.number[-4:],
    )


@activity.defn
async def shout(note: str) -> str:
    return note.upper()
