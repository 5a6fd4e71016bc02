"""Lesson 15 workflows: a report that a schedule starts, and an order that keeps its status in
search attributes, so that it can be found by a visibility query.

Workflow classes only: the sandbox re-imports this module for every run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.schedules import (
        ORDER_STATUS,
        ORDER_TOTAL,
        Order,
        ReportInput,
        compile_report,
        pack_order,
    )


@workflow.defn
class ReportWorkflow:
    """One report: what a schedule's action starts, once per firing."""

    @workflow.run
    async def run(self, params: ReportInput) -> str:
        return await workflow.execute_activity(
            compile_report, params, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn
class OrderWorkflow:
    """An order whose status and total are search attributes: set at each step with
    ``upsert_search_attributes``, so a visibility query finds it by what it is doing."""

    def __init__(self) -> None:
        self._paid = False

    @workflow.run
    async def run(self, order: Order) -> str:
        workflow.upsert_search_attributes([ORDER_TOTAL.value_set(order.total)])
        if order.wait_for_payment:
            workflow.upsert_search_attributes([ORDER_STATUS.value_set("awaiting payment")])
            await workflow.wait_condition(lambda: self._paid)
        workflow.upsert_search_attributes([ORDER_STATUS.value_set("packing")])
        packed = await workflow.execute_activity(
            pack_order, order, start_to_close_timeout=timedelta(seconds=10)
        )
        workflow.upsert_search_attributes([ORDER_STATUS.value_set("shipped")])
        return packed

    @workflow.signal
    def pay(self) -> None:
        self._paid = True
