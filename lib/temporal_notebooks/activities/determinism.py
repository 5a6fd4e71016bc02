"""Lesson 05 activities: where the non-deterministic work goes (randomness, clocks, I/O, services).

Activities run outside the sandbox and may do anything. Their results are recorded in the event
history, so when a workflow is replayed it gets the recorded result instead of calling again.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from temporalio import activity


@dataclass
class SafeValues:
    """What ``SafeAlternativesWorkflow`` computed with the deterministic tools."""

    started_at: str  # workflow.now(): the time of the workflow task, the same on every replay
    dice_roll: int  # workflow.random(): seeded by the server, the same on every replay
    order_id: str  # workflow.uuid4(): from the same seeded generator
    coupon: str  # from an activity: anything goes there, and the result is recorded


@activity.defn
def make_coupon_code(customer: str) -> str:
    """Uses the real clock and real randomness: fine in an activity, forbidden in a workflow."""
    return f"{customer[:3].upper()}-{int(time.time()) % 1000:03d}-{random.randint(1000, 9999)}"


# --- an order workflow that changes over time --------------------------------------------------------


@activity.defn
def charge_payment(order_id: str) -> str:
    return f"charged {order_id}"


@activity.defn
def check_fraud(order_id: str) -> str:
    return f"{order_id} looks fine"


@activity.defn
def ship_parcel(order_id: str) -> str:
    return f"shipped {order_id}"


# --- the exercise: a signup workflow that gets a new step ----------------------------------------------


@activity.defn
def create_account(email: str) -> str:
    return f"account for {email}"


@activity.defn
def add_to_newsletter(email: str) -> str:
    return f"{email} subscribed"


@activity.defn
def send_welcome_email(email: str) -> str:
    return f"welcome email sent to {email}"
