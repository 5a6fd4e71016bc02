"""Lesson 11 activities and data types: failures, cancellation, parallel quotes, a blocking call.

``blocking_rate_lookup`` is a plain function, not an activity: it stands for a library call that
blocks (a synchronous HTTP client, a slow file read). Called from workflow code it stalls the
workflow's thread, which the deadlock detector reports; called from an activity it is fine.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

STOCK = {"teapot": 3, "mug": 12}
PRICES_CENTS = {"north": 1250, "south": 990, "east": 1105, "west": 1399}
QUOTE_DELAY_S = 0.1
HEARTBEAT_EVERY_S = 0.1
BLOCKING_CALL_S = 2.2  # a little longer than the deadlock detector's 2 s


@dataclass
class JobInput:
    """A long job: how long it runs, and the heartbeat timeout its workflow gives it (None: none)."""

    seconds: float
    heartbeat_timeout_s: float | None = None


@dataclass
class RateRequest:
    currency: str
    seconds: float = BLOCKING_CALL_S  # how long the (pretend) rate service takes to answer


@dataclass
class Quote:
    shop: str
    cents: int

    def describe(self) -> str:
        return f"{self.shop}: {self.cents / 100:.2f} €"


@activity.defn
async def reserve_stock(item: str) -> str:
    """Reserve one item; an item the shop does not stock fails for good (retrying cannot help)."""
    if STOCK.get(item, 0) < 1:
        raise ApplicationError(f"no {item} in stock", type="OutOfStock", non_retryable=True)
    return f"reserved one {item}"


@activity.defn
async def long_job(job: JobInput) -> str:
    """Works in small steps and heartbeats after each. Cancellation arrives as ``CancelledError``
    at an ``await``, and only once a heartbeat has told the server's answer to the worker."""
    steps = int(job.seconds / HEARTBEAT_EVERY_S)
    for step in range(steps):
        activity.heartbeat(step)
        await asyncio.sleep(HEARTBEAT_EVERY_S)
    return f"finished {steps} steps"


@activity.defn
async def release_resources(job: JobInput) -> str:
    """The clean-up a cancelled workflow runs before it closes."""
    return "resources released"


@activity.defn
async def quote_price(shop: str) -> Quote:
    """Ask one shop for its price (it takes a moment); an unknown shop fails for good."""
    await asyncio.sleep(QUOTE_DELAY_S)
    if shop not in PRICES_CENTS:
        raise ApplicationError(f"no shop called {shop!r}", type="UnknownShop", non_retryable=True)
    return Quote(shop, PRICES_CENTS[shop])


@activity.defn
async def send_receipt(order: str) -> str:
    return f"receipt for {order} sent"


def blocking_rate_lookup(request: RateRequest) -> float:
    """A blocking library call: fine in an activity, a deadlock in workflow code."""
    # Waits in short sleeps, so the SDK can stop this thread soon after it detects the deadlock.
    answer_at = time.monotonic() + request.seconds
    while time.monotonic() < answer_at:
        time.sleep(0.05)
    return {"EUR": 0.92, "GBP": 0.79}.get(request.currency, 1.0)


@activity.defn
def lookup_rate(request: RateRequest) -> float:
    """The blocking call where it belongs: a sync activity, in the worker's thread pool."""
    return blocking_rate_lookup(request)
