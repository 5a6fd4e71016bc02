"""Lesson 04 activities: async and sync activities, failures that retry or not, slow calls, heartbeats.

Activities run outside the sandbox, on the worker: this is where waiting, failing and blocking
happen, and where the lesson shows what the worker does about each.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

# --- async vs sync: a blocking call inside ``async def`` stalls the whole worker -------------------


@dataclass
class StallDemoInput:
    """Which slow activity to run (several times, one after the other) next to the ticker."""

    slow_activity: str  # "block_event_loop" (the mistake) or "sleep_in_thread" (the fix)
    slow_calls: int = 2
    slow_seconds: float = 0.25
    ticks: int = 6
    tick_interval_s: float = 0.1


@dataclass
class StallReport:
    """How regularly the ticker activity ticked while the slow activity ran."""

    slow_activity: str
    tick_interval_ms: float
    tick_intervals_ms: list[float]

    @property
    def longest_ms(self) -> float:
        return max(self.tick_intervals_ms, default=0.0)

    def summary(self) -> str:
        intervals = ", ".join(f"{ms:.0f}" for ms in self.tick_intervals_ms)
        return (
            f"with {self.slow_activity}: ticks every {intervals} ms; "
            f"longest gap {self.longest_ms:.0f} ms (asked for {self.tick_interval_ms:.0f} ms)"
        )


@activity.defn
async def tick(count: int, interval_s: float) -> list[float]:
    """An async activity that wants to wake up every ``interval_s``: returns how long each wait took.

    It shares the worker's event loop with every other async activity (and, in a notebook, with the
    kernel itself), so a long gap means something blocked that loop.
    """
    intervals_ms = []
    last = time.monotonic()
    for _ in range(count):
        await asyncio.sleep(interval_s)
        now = time.monotonic()
        intervals_ms.append(round((now - last) * 1000, 1))
        last = now
    return intervals_ms


@activity.defn
async def block_event_loop(seconds: float) -> str:
    """THE MISTAKE: a blocking call (``time.sleep`` standing in for ``requests.get``, a big file read,
    a slow C library) inside ``async def``. Nothing else on the event loop runs until it returns."""
    time.sleep(seconds)
    return f"blocked the event loop for {seconds} s"


@activity.defn
def sleep_in_thread(seconds: float) -> str:
    """THE FIX: the same blocking call in a plain ``def`` activity. The worker runs it in its
    ``activity_executor`` thread pool, so the event loop stays free."""
    time.sleep(seconds)
    return f"slept {seconds} s in a worker thread"


# --- retries: a service that fails twice, then works -----------------------------------------------


@activity.defn
async def call_flaky_service(request: str) -> str:
    """Fails on its first two attempts, succeeds on the third (``activity.info().attempt`` counts)."""
    attempt = activity.info().attempt
    if attempt < 3:
        raise ApplicationError(f"service unavailable (attempt {attempt})", type="ServiceUnavailable")
    return f"{request}: done on attempt {attempt}"


# --- timeouts: a lookup slower than its timeout, a service that never answers ----------------------


@activity.defn
async def slow_lookup(delay_s: float) -> str:
    """Takes ``delay_s`` seconds. ``asyncio.sleep`` is cancellable, so a timed-out attempt stops."""
    await asyncio.sleep(delay_s)
    return f"looked up in {delay_s} s (attempt {activity.info().attempt})"


@activity.defn
async def call_unreachable_service(request: str) -> str:
    """Fails every attempt: only a limit (attempts, or ``schedule_to_close_timeout``) ends the retries."""
    attempt = activity.info().attempt
    raise ApplicationError(f"connection refused (attempt {attempt})", type="ConnectionRefused")


# --- errors that must not be retried ---------------------------------------------------------------


@activity.defn
async def charge_card(card_number: str) -> str:
    """Two ways to stop retries: the activity says so (``non_retryable=True``), or the caller's retry
    policy lists the error type in ``non_retryable_error_types``."""
    if not card_number.isdigit():
        # Retryable as far as the activity is concerned; the workflow's policy decides otherwise.
        raise ApplicationError(f"'{card_number}' is not a card number", type="InvalidCardNumber")
    if card_number.startswith("4000"):
        raise ApplicationError("card declined by the bank", type="CardDeclined", non_retryable=True)
    return f"charged card ending {card_number[-4:]} (attempt {activity.info().attempt})"


# --- a long activity that heartbeats ---------------------------------------------------------------


@dataclass
class BatchJob:
    """A batch of items processed one by one; ``silent_at_item`` simulates a hang on attempt 1."""

    items: int = 16
    seconds_per_item: float = 0.05
    silent_at_item: int | None = None
    silent_seconds: float = 1.5


@dataclass
class BatchResult:
    items: int
    attempt: int
    resumed_at_item: int


@activity.defn
async def process_batch(job: BatchJob) -> BatchResult:
    """Heartbeats ``(items done, items)`` after every item.

    The heartbeat tells the server "still alive" (a silent attempt is timed out after the
    ``heartbeat_timeout``), makes the progress visible from outside (``describe()``), and its
    details come back to the next attempt in ``activity.info().heartbeat_details``, so a retry
    resumes where the last attempt got to instead of starting over.
    """
    info = activity.info()
    start = int(info.heartbeat_details[0]) if info.heartbeat_details else 0
    for item in range(start, job.items):
        if item == job.silent_at_item and info.attempt == 1:
            await asyncio.sleep(job.silent_seconds)  # stuck: no heartbeats, the server gives up on us
        await asyncio.sleep(job.seconds_per_item)
        activity.heartbeat(item + 1, job.items)
    return BatchResult(items=job.items, attempt=info.attempt, resumed_at_item=start)


# --- the exercise's activity -----------------------------------------------------------------------

EXCHANGE_RATES = {"EUR": 0.92, "GBP": 0.79, "JPY": 151.2}


@activity.defn
async def fetch_exchange_rate(currency: str) -> float:
    """USD → ``currency``. An unknown currency fails every attempt (an error that is retryable unless
    the caller says otherwise); for a known one the service is busy on the first attempt."""
    if currency not in EXCHANGE_RATES:
        raise ApplicationError(f"no rate for '{currency}'", type="UnknownCurrency")
    attempt = activity.info().attempt
    if attempt == 1:
        raise ApplicationError(f"rate service busy (attempt {attempt})", type="ServiceBusy")
    return EXCHANGE_RATES[currency]
