"""Lesson 14 workflow: a trip booked in three steps, undone in reverse when a step fails for good."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        Request,
        Trip,
        book_car,
        book_flight,
        book_hotel,
        cancel_car,
        cancel_flight,
        cancel_hotel,
    )

STEP_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=10),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_attempts=5),
)
UNDO_OPTIONS = dict(  # an undo must not give up: no maximum_attempts
    start_to_close_timeout=timedelta(seconds=10),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200)),
)


@workflow.defn
class BookTripWorkflow:
    """Books a flight, a hotel and a car. If a step fails for good, cancels what was booked, last
    booked first, then fails with the reason."""

    def __init__(self) -> None:
        self.undone: list[str] = []
        self.may_go_on = False

    @workflow.run
    async def run(self, trip: Trip) -> list[str]:
        # The idempotency key: the same for every attempt of a step and for its undo, different for
        # every trip (workflow id) and run.
        info = workflow.info()

        def key(step: str) -> Request:
            return Request(f"{info.workflow_id}/{info.run_id}/{step}", step)

        undos: list[tuple[Callable, Request]] = []  # what to run if a later step fails
        booked: list[str] = []
        try:
            flight = key("flight")
            booked.append(await workflow.execute_activity(book_flight, flight, **STEP_OPTIONS))
            undos.append((cancel_flight, flight))  # only once the step has completed

            hotel = key("hotel")
            booked.append(
                await workflow.execute_activity(book_hotel, args=[hotel, trip.flaky_hotel], **STEP_OPTIONS)
            )
            undos.append((cancel_hotel, hotel))

            car = key("car")
            booked.append(
                await workflow.execute_activity(book_car, args=[car, trip.cars_left], **STEP_OPTIONS)
            )
            undos.append((cancel_car, car))
        except ActivityError as failure:
            for number, (undo, request) in enumerate(reversed(undos)):
                if number == 1 and trip.pause_between_undos:
                    await workflow.wait_condition(lambda: self.may_go_on)  # the lesson's gate
                self.undone.append(await workflow.execute_activity(undo, request, **UNDO_OPTIONS))
            raise ApplicationError(
                f"trip {trip.trip_id} not booked: {failure.cause}; undone: {', '.join(self.undone)}",
                type="TripNotBooked",
                non_retryable=True,
            ) from failure
        return booked

    @workflow.signal
    def go_on(self) -> None:
        """Lets the compensations carry on after the lesson's pause."""
        self.may_go_on = True

    @workflow.query
    def undone_so_far(self) -> list[str]:
        return self.undone
