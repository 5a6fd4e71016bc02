"""Lesson 12 activities: what a free trial does to the world (emails, a charge), and a long export
that heartbeats. Real versions would call services; tests replace them with stand-ins."""

from __future__ import annotations

import asyncio
import dataclasses

from temporalio import activity


@dataclasses.dataclass
class Email:
    customer: str
    subject: str


@activity.defn
async def send_email(email: Email) -> str:
    """An activity is a function: a test can call it like any other."""
    return f"sent '{email.subject}' to {email.customer}"


@activity.defn
async def charge_customer(customer: str) -> str:
    return f"charged {customer}"


@activity.defn
async def export_invoices(count: int) -> int:
    """Exports ``count`` invoices, heartbeating how many are done; stops when cancelled."""
    for done in range(1, count + 1):
        await asyncio.sleep(0.01)  # the export of one invoice
        activity.heartbeat(done)
    return count


TRIAL_ACTIVITIES = [send_email, charge_customer]
