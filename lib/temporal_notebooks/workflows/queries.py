"""Lesson 07 workflows: a packing workflow read by queries, and one whose queries misbehave.

Workflow classes only: the sandbox re-imports this module for every run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.queries import Order, PackingProgress, pack_item


@workflow.defn
class PackingWorkflow:
    """Packs an order item by item (an activity each); queries tell how far it has got."""

    @workflow.init
    def __init__(self, order: Order) -> None:
        self._remaining = list(order.items)
        self._packed: list[str] = []
        self._status = "packing"

    @workflow.run
    async def run(self, order: Order) -> list[str]:
        while self._remaining:
            boxed = await workflow.execute_activity(
                pack_item,
                args=[self._remaining[0], order.seconds_per_item],
                start_to_close_timeout=timedelta(seconds=30),
            )
            self._remaining.pop(0)
            self._packed.append(boxed)
        self._status = "shipped"
        return self._packed

    @workflow.query
    def progress(self) -> PackingProgress:
        """The name is the method's: "progress". Sync, returns at once, changes nothing."""
        return PackingProgress(list(self._packed), list(self._remaining), self._status)

    @workflow.query(name="is packed")
    def is_packed(self, item: str) -> bool:
        """A custom name and an argument: clients ask ``"is packed"`` about one item."""
        return any(boxed.startswith(f"{item} ") for boxed in self._packed)


@workflow.defn
class MisbehavingQueriesWorkflow:
    """What a query must not do, shown on purpose. It waits until the ``finish`` signal."""

    def __init__(self) -> None:
        self._times_asked = 0
        self._finished = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._finished)
        return self._times_asked

    @workflow.signal
    def finish(self) -> None:
        self._finished = True

    @workflow.query
    def times_asked(self) -> int:
        """WRONG: changes state. Queries leave no trace in the history, so a worker that rebuilds
        this workflow from its history (after a restart, or when its cache is full) forgets the count."""
        self._times_asked += 1
        return self._times_asked

    @workflow.query
    def pack_now(self) -> str:
        """WRONG: tries to start an activity. The SDK refuses: a query runs read-only."""
        workflow.start_activity(
            pack_item, args=["rush order", 0.0], start_to_close_timeout=timedelta(seconds=5)
        )
        return "started packing"
