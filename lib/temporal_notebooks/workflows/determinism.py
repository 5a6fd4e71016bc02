"""Lesson 05 workflows: deterministic tools, what the sandbox stops, and changing code that has
runs in flight. Workflow classes only: the sandbox re-imports this module for every run."""

from __future__ import annotations

import datetime
import random
import threading
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.determinism import (
        SafeValues,
        charge_payment,
        check_fraud,
        create_account,
        make_coupon_code,
        send_welcome_email,
        ship_parcel,
    )

TIMEOUT = timedelta(seconds=10)


@workflow.defn
class SafeAlternativesWorkflow:
    """Time, randomness, ids and logs the deterministic way; everything else in an activity."""

    @workflow.run
    async def run(self, customer: str) -> SafeValues:
        started_at = workflow.now()  # not datetime.now()
        dice_roll = workflow.random().randint(1, 6)  # not random.randint()
        order_id = str(workflow.uuid4())  # not uuid.uuid4()
        workflow.logger.info("order %s for %s", order_id, customer)  # not print(); silent on replay
        # Real clocks, randomness, files, network: in an activity, whose result the history records.
        coupon = await workflow.execute_activity(make_coupon_code, customer, start_to_close_timeout=TIMEOUT)
        return SafeValues(started_at.isoformat(timespec="milliseconds"), dice_roll, order_id, coupon)


@workflow.defn
class RuleBreakerWorkflow:
    """Breaks one rule, chosen by name. The sandbox stops each of these calls."""

    @workflow.run
    async def run(self, rule: str) -> str:
        if rule == "system time":
            return datetime.datetime.now().isoformat()
        if rule == "randomness":
            return str(random.randint(1, 6))
        if rule == "I/O":
            with open("/etc/hostname") as file:
                return file.read()
        if rule == "threads":
            threading.Thread(target=print).start()
            return "started a thread"
        return f"no rule called {rule!r}"


visits: list[str] = []  # module state: looks shared, but every run gets a fresh copy of this module


@workflow.defn
class GlobalStateWorkflow:
    """Appends to a module-level list and reports its length: always 1, run after run."""

    @workflow.run
    async def run(self, visitor: str) -> int:
        visits.append(visitor)
        return len(visits)


# --- one workflow type, three versions of its code -----------------------------------------------------


@workflow.defn(name="ShipOrder")
class ShipOrderV1:
    """Version 1, deployed and running: charge, then ship."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        charged = await workflow.execute_activity(charge_payment, order_id, start_to_close_timeout=TIMEOUT)
        shipped = await workflow.execute_activity(ship_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [charged, shipped]


@workflow.defn(name="ShipOrder")
class ShipOrderV2:
    """Version 2, the unsafe change: a fraud check inserted before the charge. A run recorded by
    version 1 cannot replay with this code: its history says the first activity was charge_payment."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        checked = await workflow.execute_activity(check_fraud, order_id, start_to_close_timeout=TIMEOUT)
        charged = await workflow.execute_activity(charge_payment, order_id, start_to_close_timeout=TIMEOUT)
        shipped = await workflow.execute_activity(ship_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [checked, charged, shipped]


@workflow.defn(name="ShipOrder")
class ShipOrderPatched:
    """Version 2 done safely: ``workflow.patched`` is True for new runs (and records a marker in the
    history) and False when replaying a run that was recorded before the patch existed."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        steps = []
        if workflow.patched("fraud-check"):
            checked = await workflow.execute_activity(check_fraud, order_id, start_to_close_timeout=TIMEOUT)
            steps.append(checked)
        charged = await workflow.execute_activity(charge_payment, order_id, start_to_close_timeout=TIMEOUT)
        shipped = await workflow.execute_activity(ship_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [*steps, charged, shipped]


@workflow.defn(name="ShipOrder")
class ShipOrderWithPause:
    """Another change to version 1: a pause between charge and ship (the exercise asks where a run
    recorded by version 1 stops replaying with it)."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        charged = await workflow.execute_activity(charge_payment, order_id, start_to_close_timeout=TIMEOUT)
        await workflow.sleep(timedelta(seconds=1))  # let the bank settle
        shipped = await workflow.execute_activity(ship_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [charged, shipped]


@workflow.defn
class PrintOrLogWorkflow:
    """``print`` runs again on every replay; ``workflow.logger`` knows when it replays and stays quiet."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        print(f"print: charging {order_id}")
        workflow.logger.warning(f"logger: charging {order_id}")
        await workflow.sleep(timedelta(milliseconds=10))
        return f"{order_id} charged"


@workflow.defn(name="Signup")
class SignupV1:
    """The exercise's starting point: create the account, then send the welcome email."""

    @workflow.run
    async def run(self, email: str) -> list[str]:
        account = await workflow.execute_activity(create_account, email, start_to_close_timeout=TIMEOUT)
        welcome = await workflow.execute_activity(send_welcome_email, email, start_to_close_timeout=TIMEOUT)
        return [account, welcome]
