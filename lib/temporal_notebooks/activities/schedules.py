"""Lesson 15 activities, data types and search attribute keys: a report a schedule runs, and orders
that say where they are through search attributes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from temporalio import activity
from temporalio.common import SearchAttributeKey

# Custom search attributes: registered on the server before a workflow may set them (the lesson's
# set-up cell does that with ensure_search_attributes). Keys are typed: a keyword is matched whole.
ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
ORDER_TOTAL = SearchAttributeKey.for_int("OrderTotal")
SEARCH_ATTRIBUTES = (ORDER_STATUS, ORDER_TOTAL)


@dataclass
class ReportInput:
    """What each scheduled run gets: the same value every time, set in the schedule's action."""

    region: str


@dataclass
class Order:
    order_id: str
    total: int
    wait_for_payment: bool = False  # the order stays "awaiting payment" until the `pay` signal


@activity.defn
async def compile_report(params: ReportInput) -> str:
    await asyncio.sleep(0.05)
    return f"sales report for {params.region}"


@activity.defn
async def pack_order(order: Order) -> str:
    await asyncio.sleep(0.05)
    return f"{order.order_id} packed"


@activity.defn
async def refund_payment(order_id: str) -> str:
    await asyncio.sleep(0.05)
    return f"{order_id} refunded"
