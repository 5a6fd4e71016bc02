"""Lesson 14 activities: a travel agency's three bookings and their undos, against a pretend
booking service that remembers every request by its idempotency key.

The service lives in this process (``SERVICE``), so the notebook can look at it: a retried request
with a key the service has seen changes nothing and gets the first answer again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError


@dataclass
class Trip:
    """What to book. ``cars_left=0`` makes the car rental refuse for good; ``flaky_hotel`` makes the
    hotel's first reply get lost after it booked; ``pause_between_undos`` holds the compensations
    after the first one until the ``go_on`` signal (so you can stop the worker there)."""

    trip_id: str
    cars_left: int = 0
    flaky_hotel: bool = False
    pause_between_undos: bool = False


@dataclass
class Request:
    """One call to the service: what to do, and the key that makes doing it twice harmless."""

    idempotency_key: str
    what: str


@dataclass
class BookingService:
    """A pretend service: bookings by idempotency key, and every call it received, in order."""

    bookings: dict[str, str] = field(default_factory=dict)  # key -> "booked" | "cancelled"
    calls: list[str] = field(default_factory=list)

    def book(self, request: Request) -> str:
        self.calls.append(f"book {request.idempotency_key}")
        if request.idempotency_key in self.bookings:  # seen before: the first answer, nothing new
            return f"{request.what} {self.bookings[request.idempotency_key]} (again, unchanged)"
        self.bookings[request.idempotency_key] = "booked"
        return f"{request.what} booked"

    def cancel(self, request: Request) -> str:
        self.calls.append(f"cancel {request.idempotency_key}")
        if self.bookings.get(request.idempotency_key) != "booked":
            return f"{request.what}: nothing to cancel"
        self.bookings[request.idempotency_key] = "cancelled"
        return f"{request.what} cancelled"

    def booked(self, prefix: str) -> dict[str, str]:
        return {key: value for key, value in self.bookings.items() if key.startswith(prefix)}


SERVICE = BookingService()


@activity.defn
async def book_flight(request: Request) -> str:
    return SERVICE.book(request)


@activity.defn
async def book_hotel(request: Request, flaky: bool = False) -> str:
    answer = SERVICE.book(request)
    if flaky and activity.info().attempt == 1:
        # The booking happened, but the reply never reached us: Temporal retries the activity.
        raise ApplicationError("connection reset before the hotel's reply arrived")
    return answer


@activity.defn
async def book_car(request: Request, cars_left: int) -> str:
    if cars_left <= 0:
        # Retrying cannot help: fail for good, which is what starts the undo.
        raise ApplicationError("no cars left for these dates", type="SoldOut", non_retryable=True)
    return SERVICE.book(request)


@activity.defn
async def cancel_flight(request: Request) -> str:
    await asyncio.sleep(0.05)
    return SERVICE.cancel(request)


@activity.defn
async def cancel_hotel(request: Request) -> str:
    await asyncio.sleep(0.05)
    return SERVICE.cancel(request)


@activity.defn
async def cancel_car(request: Request) -> str:
    return SERVICE.cancel(request)


# The exercise's concert order: reserve a seat, charge the card, send the tickets; a step in
# ``fail_at`` fails for good. What each step did is in ``ORDER_LOG`` for the check to read.
@dataclass
class TicketOrder:
    order_id: str
    fail_at: str = ""  # "reserve_seat" | "charge_card" | "send_tickets" | "" for none


@activity.defn
async def reserve_seat(order: TicketOrder) -> str:
    return _ticket_step("reserve_seat", order)


@activity.defn
async def charge_card(order: TicketOrder) -> str:
    return _ticket_step("charge_card", order)


@activity.defn
async def send_tickets(order: TicketOrder) -> str:
    return _ticket_step("send_tickets", order)


@activity.defn
async def release_seat(order: TicketOrder) -> str:
    return f"seat for {order.order_id} released"


@activity.defn
async def refund_card(order: TicketOrder) -> str:
    return f"card for {order.order_id} refunded"


def _ticket_step(step: str, order: TicketOrder) -> str:
    if order.fail_at == step:
        raise ApplicationError(f"{step} failed for {order.order_id}", type="StepFailed", non_retryable=True)
    return f"{step} done for {order.order_id}"
