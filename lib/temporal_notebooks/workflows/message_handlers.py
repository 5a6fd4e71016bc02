"""Lesson 10 workflows: message handlers in depth. Workflow classes only.

- ``ConcertWorkflow``: two async update handlers that read, await an activity, then write. One
  of them interleaves with itself and loses bookings; the other holds an ``asyncio.Lock``.
  Its card charge can fail *after* the update was accepted.
- ``OrderWorkflow``: a run that may return while an update handler is still busy.
- ``AccountWorkflow``: a long-lived entity that continues as new after draining its handlers,
  and answers a retried update (same update id) without applying it twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.message_handlers import (
        MAX_SEATS_PER_BOOKING,
        AccountState,
        Booking,
        BookingResult,
        Charge,
        Concert,
        charge_card,
        ship_order,
    )

SEAT_PRICE_CENTS = 4500
ACTIVITY_TIMEOUT = timedelta(seconds=10)


@workflow.defn
class ConcertWorkflow:
    """A concert that sells its seats by update until it is closed; returns the seats left."""

    @workflow.init
    def __init__(self, concert: Concert) -> None:
        self.seats_left = concert.seats
        self.closed = False
        self.lock = asyncio.Lock()  # one lock for the whole workflow, made once

    @workflow.run
    async def run(self, concert: Concert) -> int:
        await workflow.wait_condition(lambda: self.closed and workflow.all_handlers_finished())
        return self.seats_left

    @workflow.update
    async def book_without_lock(self, booking: Booking) -> BookingResult:
        """Read, await, write: another handler can run at the await and its write gets lost."""
        free = self.seats_left
        self._check_free(free, booking)
        await self._charge(booking)  # <- the event loop runs other handlers here
        self.seats_left = free - booking.seats  # writes a value computed from a stale read
        return BookingResult(booking.customer, booking.seats, self.seats_left)

    @workflow.update
    async def book(self, booking: Booking) -> BookingResult:
        """The same steps, but only one booking at a time gets past ``async with self.lock``."""
        async with self.lock:
            free = self.seats_left
            self._check_free(free, booking)
            await self._charge(booking)
            self.seats_left = free - booking.seats
            return BookingResult(booking.customer, booking.seats, self.seats_left)

    @book.validator
    def validate_book(self, booking: Booking) -> None:
        """Runs before acceptance: a refusal here leaves no trace in the history."""
        if not 1 <= booking.seats <= MAX_SEATS_PER_BOOKING:
            raise ApplicationError(
                f"book 1 to {MAX_SEATS_PER_BOOKING} seats at a time, not {booking.seats}",
                type="InvalidBooking",
            )
        if self.closed:
            raise ApplicationError("the box office is closed", type="Closed")

    @workflow.signal
    def close(self) -> None:
        self.closed = True

    @workflow.query
    def seats(self) -> int:
        return self.seats_left

    def _check_free(self, free: int, booking: Booking) -> None:
        if booking.seats > free:
            raise ApplicationError(f"only {free} seat(s) left for {booking.customer}", type="SoldOut")

    async def _charge(self, booking: Booking) -> str:
        return await workflow.execute_activity(
            charge_card,
            Charge(booking.customer, booking.seats * SEAT_PRICE_CENTS, booking.card),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RetryPolicy(maximum_attempts=3),
        )


@workflow.defn
class OrderWorkflow:
    """Ships orders by update until ``finish``. ``wait_for_handlers`` decides whether the run waits
    for busy handlers before it returns."""

    @workflow.init
    def __init__(self, wait_for_handlers: bool) -> None:
        self.finished = False
        self.shipped: list[str] = []

    @workflow.run
    async def run(self, wait_for_handlers: bool) -> list[str]:
        await workflow.wait_condition(lambda: self.finished)
        if wait_for_handlers:
            await workflow.wait_condition(workflow.all_handlers_finished)
        return self.shipped

    @workflow.update
    async def ship(self, order: str) -> str:
        confirmation = await workflow.execute_activity(
            ship_order, order, start_to_close_timeout=ACTIVITY_TIMEOUT
        )
        self.shipped.append(order)
        return confirmation

    @workflow.signal(unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON)
    async def remind_later(self, note: str) -> None:
        """Best effort: fine to drop when the workflow ends, so it is marked ABANDON (no warning)."""
        await workflow.sleep(timedelta(hours=1))

    @workflow.signal
    async def remind_later_default(self, note: str) -> None:
        """The same reminder with the default policy, WARN_AND_ABANDON: dropped too, with a warning."""
        await workflow.sleep(timedelta(hours=1))

    @workflow.signal
    def finish(self) -> None:
        self.finished = True


@workflow.defn
class AccountWorkflow:
    """A bank account that lives for years: one workflow id, a chain of runs.

    Each run takes ``updates_per_run`` deposits, then waits for its handlers to finish and continues
    as new with the state. (A real entity asks ``workflow.info().is_continue_as_new_suggested()``;
    the lesson uses a small count so you can watch it happen.)
    """

    @workflow.init
    def __init__(self, state: AccountState, updates_per_run: int = 3) -> None:
        self.state = state
        self.updates_this_run = 0
        self.updates_per_run = updates_per_run

    @workflow.run
    async def run(self, state: AccountState, updates_per_run: int = 3) -> AccountState:
        await workflow.wait_condition(
            lambda: (
                self.updates_this_run >= self.updates_per_run
                or workflow.info().is_continue_as_new_suggested()
            )
        )
        # Drain: let every handler that started in this run finish before the run ends, so no
        # caller loses its answer. Updates that arrive later go to the next run.
        await workflow.wait_condition(workflow.all_handlers_finished)
        next_state = AccountState(
            self.state.owner, self.state.balance, self.state.answered, self.state.runs + 1
        )
        workflow.continue_as_new(args=[next_state, self.updates_per_run])

    @workflow.update
    def deposit(self, amount: int) -> int:
        """Adds ``amount`` once per update id, even across runs; returns the balance."""
        update_id = workflow.current_update_info().id
        if update_id in self.state.answered:  # a retry of an update an earlier run applied
            return self.state.answered[update_id]
        self.state.balance += amount
        self.state.answered[update_id] = self.state.balance
        if len(self.state.answered) > 1000:  # keep the carried state small: the oldest ids go
            self.state.answered.pop(next(iter(self.state.answered)))
        self.updates_this_run += 1
        return self.state.balance

    @deposit.validator
    def validate_deposit(self, amount: int) -> None:
        if amount <= 0:
            raise ApplicationError(f"a deposit must be positive, not {amount}", type="InvalidAmount")

    @workflow.query
    def balance(self) -> AccountState:
        return self.state
