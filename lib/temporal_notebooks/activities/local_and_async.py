"""Lesson 04's two short sections: an activity run as a local activity, and an activity that a
person (or another system) completes later, from outside the worker.

``request_approval`` hands its task token to "the approver" (here a dict the notebook reads; in a
real system a ticket, an email link, a queue message) and returns without a result:
``activity.raise_complete_async()`` tells the worker the activity is not finished, it will be
completed through the token."""

from __future__ import annotations

import asyncio

from temporalio import activity

TAX_RATES = {"DE": 0.19, "FR": 0.20, "GB": 0.20, "US": 0.0}


@activity.defn
def lookup_tax_rate(country: str) -> float:
    """A short, local lookup: worth a local activity (no trip through the server's task queue)."""
    return TAX_RATES.get(country, 0.0)


WAITING_FOR_APPROVAL: dict[str, bytes] = {}  # request → task token, until someone answers it


@activity.defn
async def request_approval(request: str) -> str:
    """Leaves the answer to someone else: the task token goes to the approver, and the activity stays
    open (its timeouts still count) until the approver completes it with a client."""
    WAITING_FOR_APPROVAL[request] = activity.info().task_token
    activity.raise_complete_async()


async def task_token_of(request: str, wait_s: float = 10.0) -> bytes:
    """The task token ``request_approval`` handed over for ``request``, once it has (and forgets it)."""
    for _ in range(int(wait_s / 0.05)):
        if request in WAITING_FOR_APPROVAL:
            return WAITING_FOR_APPROVAL.pop(request)
        await asyncio.sleep(0.05)
    raise TimeoutError(
        f"no approval was requested for {request!r} within {wait_s:.0f} s: is the worker running?"
    )
