"""Lesson 02 activities and data types: what goes in, what comes out, and what is too big to.

Everything here crosses the wire as a payload (JSON by default), is recorded in the event history,
and must fit the server's payload limit (2 MB by default).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

PRICES_CENTS = {"tea": 450, "coffee": 380, "cake": 320, "scone": 290}
GIFT_WRAP_CENTS = 250


@dataclass
class OrderInput:
    """The one argument of ``QuoteWorkflow``: callers send an object, so fields can be added later."""

    customer: str
    items: list[str]
    # Added after the first release. The default keeps callers that never send it working,
    # and lets workflows that were started with the old shape replay unchanged.
    gift_wrap: bool = False


@dataclass
class OrderQuote:
    """A workflow's return value is one object too: new fields can be added without breaking callers."""

    customer: str
    lines: list[str]
    total_cents: int


@activity.defn
def price_item(item: str, quantity: int) -> int:
    """Two positional parameters: every caller must send both, in this order."""
    if item not in PRICES_CENTS:
        raise ApplicationError(f"We do not sell {item!r}", type="UnknownItem", non_retryable=True)
    return PRICES_CENTS[item] * quantity


@activity.defn
def quote_order(order: OrderInput) -> OrderQuote:
    """One dataclass parameter and one dataclass result: the shape the Temporal docs recommend."""
    lines = []
    total = 0
    for item in order.items:
        price = price_item(item, 1)  # a plain function call here: not another activity
        lines.append(f"{item}: {price / 100:.2f}")
        total += price
    if order.gift_wrap:
        lines.append(f"gift wrap: {GIFT_WRAP_CENTS / 100:.2f}")
        total += GIFT_WRAP_CENTS
    return OrderQuote(order.customer, lines, total)


# --- payload limits ---------------------------------------------------------------------------


@dataclass
class ReportRequest:
    """How many rows the report has, and where to store it when it is passed by reference."""

    rows: int
    store_dir: str = ""


@dataclass
class ReportRef:
    """What travels through Temporal instead of the report itself: where it is and how to verify it."""

    path: str
    size_bytes: int
    sha256: str


def render_report(rows: int) -> str:
    """A CSV report, about 28 bytes a row: 100,000 rows are ~2.8 MB, over the 2 MB payload limit."""
    lines = ["row,customer,amount_cents"]
    lines += [f"{i},customer-{i % 997:03d},{(i * 7919) % 100000}" for i in range(rows)]
    return "\n".join(lines) + "\n"


@activity.defn
def build_report(request: ReportRequest) -> str:
    """Returns the whole report: fine while small; over 2 MB the worker refuses to send the result."""
    return render_report(request.rows)


@activity.defn
def store_report(request: ReportRequest) -> ReportRef:
    """Writes the report where the reader can fetch it (a folder here; a bucket or database in
    production) and returns only a small reference to it."""
    text = render_report(request.rows).encode()
    folder = Path(request.store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    info = activity.info()
    path = folder / f"report-{info.workflow_id}.csv"
    path.write_bytes(text)
    return ReportRef(str(path), len(text), hashlib.sha256(text).hexdigest())
