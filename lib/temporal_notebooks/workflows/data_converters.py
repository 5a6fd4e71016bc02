"""Lesson 16 workflows: a payment whose models travel through the Pydantic data converter, and a
note for the codec exercise and for a worker and a client that disagree.

Workflow classes only: the sandbox re-imports this module for every run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.data_converters import Payment, Receipt, charge_card, shout


@workflow.defn
class PaymentWorkflow:
    """Charges the card once: the workflow reads its input as a ``Payment``, whatever the codec did
    to it on the way through the server."""

    @workflow.run
    async def run(self, payment: Payment) -> Receipt:
        return await workflow.execute_activity(
            charge_card,
            payment,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


@workflow.defn
class NoteWorkflow:
    """Takes a note and returns it louder (one activity): a plain string in and out."""

    @workflow.run
    async def run(self, note: str) -> str:
        return await workflow.execute_activity(shout, note, start_to_close_timeout=timedelta(seconds=10))
