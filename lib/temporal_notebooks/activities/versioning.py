"""Lesson 17 activities: the steps of a delivery whose code changes while deliveries are in flight,
and of the exercise's subscription renewal.

Each returns a short line saying what it did, so a run's result lists the path the code took."""

from __future__ import annotations

from temporalio import activity

# --- a delivery: pack, wait for the courier, ship; version 2 checks the address first ---------------


@activity.defn
def check_address(order_id: str) -> str:
    return f"address of {order_id} checked"


@activity.defn
def pack_parcel(order_id: str) -> str:
    return f"packed {order_id}"


@activity.defn
def ship_parcel(order_id: str) -> str:
    return f"shipped {order_id}"


@activity.defn
def insure_parcel(order_id: str) -> str:
    return f"insured {order_id}"


DELIVERY_ACTIVITIES = [check_address, pack_parcel, ship_parcel, insure_parcel]

# --- the exercise: a renewal whose loyalty discount was added with workflow.patched -----------------


@activity.defn
def apply_loyalty_discount(customer: str) -> str:
    return f"10% off for {customer}"


@activity.defn
def charge_renewal(customer: str) -> str:
    return f"charged {customer}"


@activity.defn
def send_receipt(customer: str) -> str:
    return f"receipt sent to {customer}"


RENEWAL_ACTIVITIES = [apply_loyalty_discount, charge_renewal, send_receipt]
