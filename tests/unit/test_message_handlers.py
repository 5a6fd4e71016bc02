"""Lesson 10 on the real dev server: handlers that interleave at an await (and the lock that stops
it), a run that returns while a handler is busy (the SDK's warning, the caller's error, and the
fixes), an update that fails after acceptance, update-with-start, and an account that continues as
new and answers a retried update once."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

from temporal_notebooks.activities.message_handlers import (
    AccountState,
    Booking,
    Concert,
    charge_card,
    ship_order,
)
from temporal_notebooks.widgets.forms import rejection_message
from temporal_notebooks.widgets.history import event_name
from temporal_notebooks.workflows.message_handlers import AccountWorkflow, ConcertWorkflow, OrderWorkflow

TASK_QUEUE = f"test-handlers-{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[ConcertWorkflow, OrderWorkflow, AccountWorkflow],
        activities=[charge_card, ship_order],
    ) as running:
        yield running


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def new_concert(client: Client, seats: int = 10) -> WorkflowHandle:
    return await client.start_workflow(
        ConcertWorkflow.run, Concert("test", seats), id=new_id("concert"), task_queue=TASK_QUEUE
    )


async def names(handle: WorkflowHandle) -> list[str]:
    return [event_name(e) async for e in handle.fetch_history_events()]


async def test_handlers_without_a_lock_lose_a_booking(client: Client, worker: Worker) -> None:
    concert = await new_concert(client)
    alice, bob = await asyncio.gather(
        concert.execute_update(ConcertWorkflow.book_without_lock, Booking("alice", 2)),
        concert.execute_update(ConcertWorkflow.book_without_lock, Booking("bob", 3)),
    )
    # Both read 10 seats before either wrote: the later write wins, the other booking is lost.
    assert {alice.seats_left, bob.seats_left} == {8, 7}
    assert await concert.query(ConcertWorkflow.seats) in (8, 7)
    await concert.signal(ConcertWorkflow.close)
    assert await concert.result() != 10 - 2 - 3


async def test_the_lock_makes_bookings_take_turns(client: Client, worker: Worker) -> None:
    concert = await new_concert(client)
    alice_booking = await concert.start_update(
        ConcertWorkflow.book, Booking("alice", 2), wait_for_stage=WorkflowUpdateStage.ACCEPTED
    )
    bob = await concert.execute_update(ConcertWorkflow.book, Booking("bob", 3))  # waits for the lock
    alice = await alice_booking.result()
    assert (alice.seats_left, bob.seats_left) == (8, 5)
    # Sent at the very same moment, either may win the lock; no booking is lost either way.
    both = await asyncio.gather(
        concert.execute_update(ConcertWorkflow.book, Booking("carol", 1)),
        concert.execute_update(ConcertWorkflow.book, Booking("dave", 2)),
    )
    assert sorted(r.seats_left for r in both) in ([2, 4], [2, 3])
    await concert.signal(ConcertWorkflow.close)
    assert await concert.result() == 2


async def test_the_lock_also_keeps_the_sold_out_check_right(client: Client, worker: Worker) -> None:
    concert = await new_concert(client, seats=4)
    outcomes = await asyncio.gather(
        *(concert.execute_update(ConcertWorkflow.book, Booking(f"fan{i}", 3)) for i in range(2)),
        return_exceptions=True,
    )
    failures = [o for o in outcomes if isinstance(o, WorkflowUpdateFailedError)]
    assert len(failures) == 1 and "only 1 seat(s) left" in rejection_message(failures[0])
    await concert.signal(ConcertWorkflow.close)
    assert await concert.result() == 1


async def test_failed_after_acceptance_versus_rejected(client: Client, worker: Worker) -> None:
    concert = await new_concert(client)
    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await concert.execute_update(ConcertWorkflow.book, Booking("carol", 9))
    assert isinstance(rejected.value.cause, ApplicationError)
    assert rejected.value.cause.type == "InvalidBooking"
    assert "WorkflowExecutionUpdateAccepted" not in await names(concert)

    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await concert.execute_update(ConcertWorkflow.book, Booking("dave", 2, card="0000-1111"))
    assert isinstance(failed.value.cause, ActivityError)  # the handler's activity failed
    assert rejection_message(failed.value) == "card 0000-1111 was declined"
    history = await names(concert)
    assert history.count("WorkflowExecutionUpdateAccepted") == 1
    assert history.count("WorkflowExecutionUpdateCompleted") == 1
    assert "ActivityTaskFailed" in history
    # The workflow did not fail: the next booking works, and no seat went to dave.
    ok = await concert.execute_update(ConcertWorkflow.book, Booking("erin", 1))
    assert ok.seats_left == 9
    await concert.terminate("test done")


async def test_returning_with_a_busy_handler_warns_and_fails_the_caller(
    client: Client, worker: Worker
) -> None:
    hasty = await client.start_workflow(OrderWorkflow.run, False, id=new_id("order"), task_queue=TASK_QUEUE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shipping = await hasty.start_update(
            OrderWorkflow.ship, "order-1", wait_for_stage=WorkflowUpdateStage.ACCEPTED
        )
        await hasty.signal(OrderWorkflow.finish)
        assert await hasty.result() == []
    assert any("[TMPRL1102]" in str(w.message) for w in caught), [str(w.message) for w in caught]
    with pytest.raises(WorkflowUpdateFailedError) as lost:
        await shipping.result()
    assert "completed before the Update completed" in rejection_message(lost.value)


async def test_waiting_for_handlers_gives_every_caller_its_answer(client: Client, worker: Worker) -> None:
    patient = await client.start_workflow(OrderWorkflow.run, True, id=new_id("order"), task_queue=TASK_QUEUE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shipping = await patient.start_update(
            OrderWorkflow.ship, "order-2", wait_for_stage=WorkflowUpdateStage.ACCEPTED
        )
        await patient.signal(OrderWorkflow.finish)
        assert await patient.result() == ["order-2"]
    assert await shipping.result() == "order-2 shipped"
    assert not [w for w in caught if "TMPRL110" in str(w.message)]


async def test_an_abandon_handler_may_be_left_unfinished_without_a_warning(
    client: Client, worker: Worker
) -> None:
    hasty = await client.start_workflow(OrderWorkflow.run, False, id=new_id("order"), task_queue=TASK_QUEUE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await hasty.signal(OrderWorkflow.remind_later, "ask for a review")  # sleeps an hour
        await hasty.signal(OrderWorkflow.finish)
        assert await hasty.result() == []
    assert not [w for w in caught if "TMPRL110" in str(w.message)]


async def test_update_with_start_creates_then_reuses_the_entity(client: Client, worker: Worker) -> None:
    concert_id = new_id("uws")

    def operation() -> WithStartWorkflowOperation:
        return WithStartWorkflowOperation(
            ConcertWorkflow.run,
            Concert("uws", 10),
            id=concert_id,
            task_queue=TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )

    first_op, second_op = operation(), operation()
    first = await client.execute_update_with_start_workflow(
        ConcertWorkflow.book, Booking("alice", 2), start_workflow_operation=first_op
    )
    second = await client.execute_update_with_start_workflow(
        ConcertWorkflow.book, Booking("bob", 1), start_workflow_operation=second_op
    )
    assert (first.seats_left, second.seats_left) == (8, 7)
    first_handle, second_handle = await first_op.workflow_handle(), await second_op.workflow_handle()
    assert first_handle.first_execution_run_id == second_handle.first_execution_run_id
    history = await names(first_handle)
    assert history[0] == "WorkflowExecutionStarted"
    assert history.count("WorkflowExecutionUpdateAccepted") == 2
    await first_handle.terminate("test done")


async def test_update_with_start_validator_rejection(client: Client, worker: Worker) -> None:
    op = WithStartWorkflowOperation(
        ConcertWorkflow.run,
        Concert("uws", 10),
        id=new_id("uws"),
        task_queue=TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    with pytest.raises(WorkflowUpdateFailedError):
        await client.execute_update_with_start_workflow(
            ConcertWorkflow.book, Booking("zed", 99), start_workflow_operation=op
        )
    handle = await op.workflow_handle()  # the workflow was started even though the update was refused
    assert (await handle.describe()).status is not None
    await handle.terminate("test done")


async def test_account_continues_as_new_and_keeps_its_state(client: Client, worker: Worker) -> None:
    account_id = new_id("account")
    account = await client.start_workflow(
        AccountWorkflow.run, args=[AccountState("ada"), 3], id=account_id, task_queue=TASK_QUEUE
    )
    balances = [await account.execute_update(AccountWorkflow.deposit, 10, id=f"dep-{i}") for i in range(7)]
    assert balances == [10, 20, 30, 40, 50, 60, 70]
    state = await client.get_workflow_handle(account_id).query(AccountWorkflow.balance)
    assert state.runs == 3 and state.balance == 70
    await account.terminate("test done")


async def test_a_retried_update_id_is_applied_once_even_across_runs(client: Client, worker: Worker) -> None:
    account = await client.start_workflow(
        AccountWorkflow.run, args=[AccountState("lin"), 2], id=new_id("account"), task_queue=TASK_QUEUE
    )
    assert await account.execute_update(AccountWorkflow.deposit, 50, id="deposit-a") == 50
    assert await account.execute_update(AccountWorkflow.deposit, 50, id="deposit-a") == 50  # same run
    assert await account.execute_update(AccountWorkflow.deposit, 5, id="deposit-b") == 55  # run 1 ends
    assert (
        await account.execute_update(AccountWorkflow.deposit, 50, id="deposit-a") == 50
    )  # run 2: remembered
    state = await account.query(AccountWorkflow.balance)
    assert (state.balance, state.runs) == (55, 2)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await account.execute_update(AccountWorkflow.deposit, -5)
    assert "must be positive" in rejection_message(refused.value)
    await account.terminate("test done")
