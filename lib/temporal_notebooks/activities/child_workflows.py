"""Lesson 13 activities and data types: packing an order item by item, a courier's parcel, and a
loyalty card's rewards.

They are short on purpose: lesson 13 is about how workflows start and continue other workflows,
not about the work itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio import activity

PACK_DELAY_S = 0.1  # long enough that packing items side by side is visibly faster than in turn
REWARD_DELAY_S = 0.3  # a redeem update is still busy while other messages arrive


@dataclass
class Order:
    """An order of several items; each item gets a child workflow of its own."""

    order_id: str
    items: list[str]
    one_at_a_time: bool = False  # execute_child_workflow in turn, else start them all, then wait


@dataclass
class Card:
    """A loyalty card's state: what every run of the card's workflow carries to the next."""

    owner: str
    points: int = 0
    runs: int = 1  # how many runs the card has had, this one included
    history_limit: int = 40  # events: the lesson's own threshold (the server suggests much later)
    continued_because: list[str] = field(default_factory=list)  # one line per continue-as-new


@activity.defn
async def pack_item(item: str) -> str:
    await asyncio.sleep(PACK_DELAY_S)
    return f"{item} packed"


@activity.defn
async def return_parcel(parcel: str) -> str:
    """The courier's clean-up when its delivery is cancelled."""
    return f"{parcel} returned to the depot"


@activity.defn
async def confirm_reward(points: int) -> str:
    await asyncio.sleep(REWARD_DELAY_S)
    return f"reward for {points} points confirmed"
