"""Lesson 13 workflows: a parent with one child per item, a courier that outlives (or not) the
workflow that started it, and a loyalty card that continues as new with its state."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.child_workflows import (
        Card,
        Order,
        confirm_reward,
        pack_item,
        return_parcel,
    )

ACTIVITY_TIMEOUT = timedelta(seconds=10)


@workflow.defn
class PackItemWorkflow:
    """One item of an order: a child workflow with its own id and its own history."""

    @workflow.run
    async def run(self, item: str) -> str:
        return await workflow.execute_activity(pack_item, item, start_to_close_timeout=ACTIVITY_TIMEOUT)


@workflow.defn
class PackOrderWorkflow:
    """The parent: one child per item, each with an id made from the order's id and the item."""

    @workflow.run
    async def run(self, order: Order) -> list[str]:
        parent_id = workflow.info().workflow_id
        if order.one_at_a_time:  # execute_child_workflow: start one, wait for its result, then the next
            return [
                await workflow.execute_child_workflow(PackItemWorkflow.run, item, id=f"{parent_id}/{item}")
                for item in order.items
            ]
        # start_child_workflow returns a handle once the server has started the child: start them
        # all at once, then wait for all their results together
        children = await asyncio.gather(
            *(
                workflow.start_child_workflow(PackItemWorkflow.run, item, id=f"{parent_id}/{item}")
                for item in order.items
            )
        )
        return list(await asyncio.gather(*children))


@workflow.defn
class CourierWorkflow:
    """A child that waits for its ``deliver`` signal; if it is cancelled, it returns the parcel first."""

    def __init__(self) -> None:
        self.delivered = False

    @workflow.run
    async def run(self, parcel: str) -> str:
        try:
            await workflow.wait_condition(lambda: self.delivered)
        except asyncio.CancelledError:
            # A cancellation request is a chance to clean up: the activity still runs, then the
            # workflow ends as cancelled.
            await workflow.execute_activity(return_parcel, parcel, start_to_close_timeout=ACTIVITY_TIMEOUT)
            raise
        return f"{parcel} delivered"

    @workflow.signal
    def deliver(self) -> None:
        self.delivered = True


@workflow.defn
class DispatchWorkflow:
    """A parent that starts a courier with the given ParentClosePolicy, then completes at once."""

    @workflow.run
    async def run(self, parcel: str, policy: str) -> str:
        courier = await workflow.start_child_workflow(
            CourierWorkflow.run,
            parcel,
            id=f"{workflow.info().workflow_id}/courier",
            parent_close_policy=workflow.ParentClosePolicy[policy],
        )
        return f"dispatched {courier.id} with {policy}; the parent closes now"


@workflow.defn
class LoyaltyCardWorkflow:
    """A card that lives for years: one workflow id, a chain of runs, the state carried along.

    A run continues as new when the server suggests it, or when its history reaches the card's
    ``history_limit`` (the lesson's threshold, so you see it in seconds). It first lets every
    handler still running finish, so no caller loses its answer.
    """

    @workflow.init
    def __init__(self, card: Card) -> None:
        self.card = card
        self.closed = False

    @workflow.run
    async def run(self, card: Card) -> Card:
        await workflow.wait_condition(lambda: self.closed or self.time_to_continue() is not None)
        await workflow.wait_condition(workflow.all_handlers_finished)  # let a busy redeem answer
        reason = self.time_to_continue()
        if self.closed or reason is None:
            return self.card
        self.card.continued_because.append(f"run {self.card.runs}: {reason}")
        self.card.runs += 1
        workflow.continue_as_new(self.card)

    def time_to_continue(self) -> str | None:
        """Why this run should hand over to a new one, or None."""
        info = workflow.info()
        length, suggested = info.get_current_history_length(), info.is_continue_as_new_suggested()
        if suggested:
            return f"the server suggested it at {length} events"
        if length >= self.card.history_limit:
            return f"the lesson's limit: {length} events >= {self.card.history_limit} (server suggestion: no)"
        return None

    @workflow.signal
    def add_points(self, points: int) -> None:
        self.card.points += points

    @workflow.update
    async def redeem(self, points: int) -> str:
        """Takes the points at once, then waits for the reward to be confirmed (an activity)."""
        self.card.points -= points
        return await workflow.execute_activity(
            confirm_reward, points, start_to_close_timeout=ACTIVITY_TIMEOUT
        )

    @workflow.query
    def state(self) -> Card:
        return self.card

    @workflow.signal
    def close(self) -> None:
        self.closed = True
