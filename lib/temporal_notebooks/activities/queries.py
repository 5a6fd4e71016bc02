"""Lesson 07 activities and data types: packing an order, one item at a time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio import activity


@dataclass
class Order:
    """What to pack; ``seconds_per_item`` keeps the run long enough to watch it by query."""

    items: list[str]
    seconds_per_item: float = 0.3


@dataclass
class PackingProgress:
    """The answer of the ``progress`` query."""

    packed: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    status: str = "waiting"


@activity.defn
async def pack_item(item: str, seconds: float) -> str:
    """Stands in for real work (a warehouse robot, a label printer): it takes a moment."""
    await asyncio.sleep(seconds)
    return f"{item} (boxed)"
