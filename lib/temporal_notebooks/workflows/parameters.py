"""Lesson 02 workflows: parameters, return values, errors and payload limits.

Workflow classes only: the sandbox re-imports this module for every run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.parameters import (
        OrderInput,
        OrderQuote,
        ReportRef,
        ReportRequest,
        build_report,
        price_item,
        quote_order,
        store_report,
    )

ACTIVITY_TIMEOUT = timedelta(seconds=30)


@workflow.defn
class PriceWorkflow:
    """Positional parameters. Version 1 took (item, quantity); ``customer`` was appended later, so
    every caller still sending two arguments now breaks."""

    @workflow.run
    async def run(self, item: str, quantity: int, customer: str) -> str:
        cents = await workflow.execute_activity(
            price_item,
            args=[item, quantity],  # several activity arguments go in a list, in order
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )
        return f"{customer}: {quantity} x {item} = {cents / 100:.2f}"


@workflow.defn
class QuoteWorkflow:
    """One dataclass in, one dataclass out: the recommended shape."""

    @workflow.run
    async def run(self, order: OrderInput) -> OrderQuote:
        if not order.items:
            # An ApplicationError fails the workflow (not just the task): the caller gets it as
            # the cause of a WorkflowFailureError, and the history records it.
            raise ApplicationError(
                f"An order needs at least one item ({order.customer} sent none)",
                {"customer": order.customer},
                type="EmptyOrder",
            )
        return await workflow.execute_activity(quote_order, order, start_to_close_timeout=ACTIVITY_TIMEOUT)


@workflow.defn
class InlineReportWorkflow:
    """Gets the whole report as the activity's result: breaks once the report passes 2 MB."""

    @workflow.run
    async def run(self, request: ReportRequest) -> str:
        report = await workflow.execute_activity(
            build_report,
            request,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            # A result that is too large will be just as large on the next attempt: don't retry.
            retry_policy=RetryPolicy(non_retryable_error_types=["PayloadsTooLarge"]),
        )
        return f"{report.count(chr(10)) - 1} rows, {len(report.encode())} bytes"


@workflow.defn
class RetryingInlineReportWorkflow:
    """The same with the default retry policy: a too-large result is retried forever, and the run
    just waits."""

    @workflow.run
    async def run(self, request: ReportRequest) -> str:
        report = await workflow.execute_activity(
            build_report, request, start_to_close_timeout=ACTIVITY_TIMEOUT
        )
        return f"{report.count(chr(10)) - 1} rows, {len(report.encode())} bytes"


@workflow.defn
class ReportByReferenceWorkflow:
    """The fix: the activity stores the report and returns a small reference to it."""

    @workflow.run
    async def run(self, request: ReportRequest) -> ReportRef:
        return await workflow.execute_activity(store_report, request, start_to_close_timeout=ACTIVITY_TIMEOUT)
