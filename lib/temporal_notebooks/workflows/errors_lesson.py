"""Lesson 11 workflows: which errors fail what, cancellation, timers and parallel activities, the
deadlock detector, and one call the sandbox refuses. Workflow classes only.

Several of these are *meant* to go wrong; the notebook shows each going wrong, then its fix.
(The third-party import the sandbox refuses lives in ``service_urls.py``: a module whose import
fails in the sandbox would stop the worker from registering any workflow of this module.)
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.errors_lesson import (
        JobInput,
        Quote,
        RateRequest,
        blocking_rate_lookup,
        long_job,
        lookup_rate,
        quote_price,
        release_resources,
        reserve_stock,
        send_receipt,
    )

TIMEOUT = timedelta(seconds=10)


# --- 1. What fails the workflow, and what only fails the workflow task ---------------------------


@workflow.defn
class ReserveWorkflow:
    """An activity's failure reaches the workflow as an ``ActivityError``: a ``FailureError``, so
    left uncaught it fails the workflow (not only ``ApplicationError`` does)."""

    @workflow.run
    async def run(self, item: str) -> str:
        return await workflow.execute_activity(reserve_stock, item, start_to_close_timeout=TIMEOUT)


@workflow.defn
class ParseQuantityWorkflow:
    """``int("lots")`` raises ``ValueError``: not a ``FailureError``, so it fails the workflow *task*,
    which Temporal retries until the code is fixed."""

    @workflow.run
    async def run(self, text: str) -> int:
        return int(text)


@workflow.defn(failure_exception_types=[ValueError])
class StrictParseQuantityWorkflow:
    """The same code; ``failure_exception_types`` says a ``ValueError`` fails the workflow."""

    @workflow.run
    async def run(self, text: str) -> int:
        return int(text)


@workflow.defn
class QuantityWorkflow:
    """An update handler that may raise ``ValueError``. Which it fails, the update or the workflow
    task, is up to the worker: ``Worker(..., workflow_failure_exception_types=[ValueError])``."""

    def __init__(self) -> None:
        self.quantity = 1
        self.closed = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.closed and workflow.all_handlers_finished())
        return self.quantity

    @workflow.update
    def set_quantity(self, text: str) -> int:
        self.quantity = int(text)
        return self.quantity

    @workflow.signal
    def close(self) -> None:
        self.closed = True


# --- 2. Cancellation ------------------------------------------------------------------------------


@workflow.defn
class CancellableJobWorkflow:
    """Runs a long, heartbeating activity. Cancelled, it waits until the activity has stopped, runs
    a clean-up activity, and closes as cancelled."""

    @workflow.run
    async def run(self, job: JobInput) -> str:
        heartbeat_timeout = timedelta(seconds=job.heartbeat_timeout_s) if job.heartbeat_timeout_s else None
        try:
            return await workflow.execute_activity(
                long_job,
                job,
                start_to_close_timeout=timedelta(seconds=job.seconds + 10),
                heartbeat_timeout=heartbeat_timeout,
                # Wait for the activity to confirm it stopped, instead of leaving it running.
                cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
            )
        except Exception as error:
            if not is_cancelled_exception(error):
                raise
            # A cancelled workflow may still run activities: clean up, then let the cancel through.
            await workflow.execute_activity(release_resources, job, start_to_close_timeout=TIMEOUT)
            raise


# --- 3. Timers, parallel activities, and the forgotten await ---------------------------------------


@workflow.defn
class QuotesWorkflow:
    """Asks every shop for a price, one after the other or all at once; returns the cheapest quote
    and how long the asking took in workflow time."""

    @workflow.run
    async def run(self, shops: list[str], parallel: bool) -> tuple[Quote, float]:
        started = workflow.now()
        if parallel:
            quotes = await asyncio.gather(
                *(
                    workflow.execute_activity(quote_price, shop, start_to_close_timeout=TIMEOUT)
                    for shop in shops
                )
            )
        else:
            quotes = [
                await workflow.execute_activity(quote_price, shop, start_to_close_timeout=TIMEOUT)
                for shop in shops
            ]
        took = (workflow.now() - started).total_seconds()
        return min(quotes, key=lambda quote: quote.cents), took


@workflow.defn
class ReceiptWorkflow:
    """Waits (a durable timer), then sends the receipt and waits for the activity's answer."""

    @workflow.run
    async def run(self, order: str) -> str:
        await workflow.sleep(timedelta(seconds=0.3))  # a timer: TimerStarted ... TimerFired
        return await workflow.execute_activity(send_receipt, order, start_to_close_timeout=TIMEOUT)


@workflow.defn
class ForgotToAwaitWorkflow:
    """The bug: ``execute_activity`` is a coroutine function; called without ``await`` it does nothing."""

    @workflow.run
    async def run(self, order: str) -> str:
        workflow.execute_activity(send_receipt, order, start_to_close_timeout=TIMEOUT)  # no await!
        return f"receipt for {order} sent?"


# --- 4. The deadlock detector --------------------------------------------------------------------


@workflow.defn
class BlockingCallWorkflow:
    """Calls a blocking function from workflow code: the workflow's thread stalls past 2 s."""

    @workflow.run
    async def run(self, request: RateRequest) -> float:
        return blocking_rate_lookup(request)


@workflow.defn
class RateActivityWorkflow:
    """The fix: the blocking call runs in an activity; the workflow only awaits it."""

    @workflow.run
    async def run(self, request: RateRequest) -> float:
        return await workflow.execute_activity(lookup_rate, request, start_to_close_timeout=TIMEOUT)


# --- 5. A call the sandbox refuses, and the last resort --------------------------------------------


@workflow.defn
class ReportNameWorkflow:
    """``os.fspath`` is pure (a path object to its text), but at run time the sandbox refuses every
    function of ``os``, on every Python version (``os.path`` only until Python 3.13)."""

    @workflow.run
    async def run(self, path: str) -> str:
        return os.fspath(path).rsplit("/", 1)[-1]


@workflow.defn
class UnrestrictedReportNameWorkflow:
    """Last resort: switch the sandbox's checks off for one block you know is deterministic."""

    @workflow.run
    async def run(self, path: str) -> str:
        with workflow.unsafe.sandbox_unrestricted():
            return os.fspath(path).rsplit("/", 1)[-1]
