"""Lesson 03 activities: one keeps its default type name, one has a name set with ``name=``."""

from __future__ import annotations

from temporalio import activity


@activity.defn  # type name: "reserve_stock" (the function name)
def reserve_stock(items: list[str]) -> str:
    """Default name: renaming this function renames the activity type in every new history."""
    return f"reserved {len(items)} item(s)"


@activity.defn(name="charge-card")  # type name: "charge-card", whatever the function is called
def charge_payment(total_cents: int) -> str:
    """Custom name: the Python function can be renamed freely; workers and histories still say
    "charge-card"."""
    return f"charged {total_cents / 100:.2f}"


@activity.defn(name="invoice.send")  # the billing team's dashboards count activities of this type
def send_invoice(invoice_id: str) -> str:
    """Used by the lesson's exercise: the learner's workflow calls it."""
    return f"{invoice_id} sent"
