"""Lesson 14 on the real dev server: the compensations run in reverse, only for the steps that
completed; a retried step changes nothing at the service; and a worker stopped between two
compensations loses none, nor runs one twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

from temporal_notebooks.activities import sagas as activities
from temporal_notebooks.activities.sagas import SERVICE, Request, Trip
from temporal_notebooks.widgets.history import fetch_history
from temporal_notebooks.workflows.sagas import BookTripWorkflow

TASK_QUEUE = f"test-sagas-{uuid.uuid4().hex[:6]}"
ACTIVITIES = [
    activities.book_flight,
    activities.book_hotel,
    activities.book_car,
    activities.cancel_flight,
    activities.cancel_hotel,
    activities.cancel_car,
]


def trip_worker(client: Client) -> Worker:
    return Worker(client, task_queue=TASK_QUEUE, workflows=[BookTripWorkflow], activities=ACTIVITIES)


@pytest_asyncio.fixture
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with trip_worker(client) as running:
        yield running


def activities_of(history) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]


def calls_of(handle) -> list[str]:
    prefix = f"{handle.id}/{handle.result_run_id}/"
    return [
        f"{verb} {key.removeprefix(prefix)}"
        for verb, key in (c.split() for c in SERVICE.calls)
        if key.startswith(prefix)
    ]


async def start(client: Client, trip: Trip):
    return await client.start_workflow(
        BookTripWorkflow.run, trip, id=f"{trip.trip_id}-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )


async def test_all_three_steps_booked_when_nothing_fails(client: Client, worker) -> None:
    trip = await start(client, Trip("ok", cars_left=1))
    assert await trip.result() == ["flight booked", "hotel booked", "car booked"]
    assert activities_of(await fetch_history(trip)) == ["book_flight", "book_hotel", "book_car"]


async def test_a_final_failure_undoes_the_completed_steps_in_reverse(client: Client, worker) -> None:
    trip = await start(client, Trip("no-car", cars_left=0))
    with pytest.raises(WorkflowFailureError) as failed:
        await trip.result()
    assert failed.value.cause.type == "TripNotBooked"
    assert "undone: hotel cancelled, flight cancelled" in failed.value.cause.message
    history = await fetch_history(trip)
    assert activities_of(history) == [
        "book_flight",
        "book_hotel",
        "book_car",
        "cancel_hotel",
        "cancel_flight",
    ]
    # the non-retryable error: book_car ran once
    car = [e for e in history.events if e.HasField("activity_task_started_event_attributes")][2]
    assert car.activity_task_started_event_attributes.attempt == 1
    prefix = f"{trip.id}/{trip.result_run_id}/"
    assert SERVICE.booked(prefix) == {f"{prefix}flight": "cancelled", f"{prefix}hotel": "cancelled"}


async def test_a_retried_step_books_once_and_a_repeated_undo_cancels_nothing(client: Client, worker) -> None:
    trip = await start(client, Trip("flaky", cars_left=1, flaky_hotel=True))
    await trip.result()
    assert calls_of(trip) == ["book flight", "book hotel", "book hotel", "book car"]
    prefix = f"{trip.id}/{trip.result_run_id}/"
    assert list(SERVICE.booked(prefix).values()) == ["booked"] * 3
    hotel = Request(f"{prefix}hotel", "hotel")
    assert await activities.cancel_hotel(hotel) == "hotel cancelled"
    assert await activities.cancel_hotel(hotel) == "hotel: nothing to cancel"


async def test_the_undo_survives_a_worker_stopped_between_two_compensations(client: Client) -> None:
    async with trip_worker(client):
        trip = await start(client, Trip("stopped", cars_left=0, pause_between_undos=True))
        async with asyncio.timeout(20):
            while not await trip.query(BookTripWorkflow.undone_so_far):
                await asyncio.sleep(0.05)
    # no worker now: the gate's signal is recorded and waits
    await trip.signal(BookTripWorkflow.go_on)
    assert (await fetch_history(trip)).names[-2:] == ["WorkflowExecutionSignaled", "WorkflowTaskScheduled"]
    async with trip_worker(client):
        with pytest.raises(WorkflowFailureError):
            await trip.result()
    history = await fetch_history(trip)
    assert activities_of(history) == [
        "book_flight",
        "book_hotel",
        "book_car",
        "cancel_hotel",
        "cancel_flight",
    ]
    assert [c for c in calls_of(trip) if c.startswith("cancel")] == ["cancel hotel", "cancel flight"]
    # the gate held: cancel_flight was scheduled only after the signal sent while no worker ran
    scheduled = [
        i for i, e in enumerate(history.events) if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert scheduled[3] < history.names.index("WorkflowExecutionSignaled") < scheduled[4]
