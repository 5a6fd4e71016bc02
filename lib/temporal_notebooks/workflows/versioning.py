"""Lesson 17 workflows: one workflow type, "Delivery", at each stage of a change made while runs are
in flight, and a new type for a change too big for a patch. Workflow classes only: the sandbox
re-imports this module for every run.

The stages of the change "check the address before packing":

1. ``DeliveryV1``: the code deployed today.
2. ``DeliveryPatched``: both paths, chosen by ``workflow.patched``; deploy while V1 runs are open.
3. ``DeliveryDeprecated``: the new path only, with ``workflow.deprecate_patch``; once no V1 run is left.
4. ``DeliveryV2``: the call gone; once no run recorded by stage 2 is left. It is also the change
   made in place at once, which breaks the V1 runs in flight.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.versioning import (
        apply_loyalty_discount,
        charge_renewal,
        check_address,
        insure_parcel,
        pack_parcel,
        send_receipt,
        ship_parcel,
    )

TIMEOUT = timedelta(seconds=10)
PATCH = "check-address"


class WaitsForCourier:
    """The wait for the courier (a signal): a delivery stays in flight until it is picked up."""

    def __init__(self) -> None:
        self.picked_up = False

    @workflow.signal
    def pick_up(self) -> None:
        self.picked_up = True

    async def ship_when_picked_up(self, order_id: str) -> str:
        await workflow.wait_condition(lambda: self.picked_up)
        return await workflow.execute_activity(ship_parcel, order_id, start_to_close_timeout=TIMEOUT)


@workflow.defn(name="Delivery")
class DeliveryV1(WaitsForCourier):
    """Stage 1, deployed and running: pack, wait for the courier, ship."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        packed = await workflow.execute_activity(pack_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [packed, await self.ship_when_picked_up(order_id)]


@workflow.defn(name="Delivery")
class DeliveryPatched(WaitsForCourier):
    """Stage 2: new runs check the address (and record a marker); runs recorded by V1 replay the old
    path, because their history has no marker where ``patched`` is called."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        steps = []
        if workflow.patched(PATCH):
            steps.append(
                await workflow.execute_activity(check_address, order_id, start_to_close_timeout=TIMEOUT)
            )
        steps.append(await workflow.execute_activity(pack_parcel, order_id, start_to_close_timeout=TIMEOUT))
        return [*steps, await self.ship_when_picked_up(order_id)]


@workflow.defn(name="Delivery")
class DeliveryDeprecated(WaitsForCourier):
    """Stage 3, once no run recorded by V1 is open: the new path only. ``deprecate_patch`` records a
    marker flagged deprecated, which code without the call (stage 4) replays; it still accepts the
    stage 2 markers."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        workflow.deprecate_patch(PATCH)
        checked = await workflow.execute_activity(check_address, order_id, start_to_close_timeout=TIMEOUT)
        packed = await workflow.execute_activity(pack_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [checked, packed, await self.ship_when_picked_up(order_id)]


@workflow.defn(name="Delivery")
class DeliveryV2(WaitsForCourier):
    """Stage 4, once no run recorded by stage 2 is open: the call is gone. Deployed at once instead of
    the patch, the same code breaks every V1 run in flight."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        checked = await workflow.execute_activity(check_address, order_id, start_to_close_timeout=TIMEOUT)
        packed = await workflow.execute_activity(pack_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [checked, packed, await self.ship_when_picked_up(order_id)]


@workflow.defn(name="InsuredDelivery")
class InsuredDelivery(WaitsForCourier):
    """A change too big to patch gets a new type: "Delivery" runs finish on their own code, and new
    deliveries start as "InsuredDelivery"."""

    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        insured = await workflow.execute_activity(insure_parcel, order_id, start_to_close_timeout=TIMEOUT)
        checked = await workflow.execute_activity(check_address, order_id, start_to_close_timeout=TIMEOUT)
        packed = await workflow.execute_activity(pack_parcel, order_id, start_to_close_timeout=TIMEOUT)
        return [insured, checked, packed, await self.ship_when_picked_up(order_id)]


# --- the exercise: the next stage of the "Renewal" workflow -----------------------------------------


@workflow.defn(name="Renewal")
class RenewalPatched:
    """The renewal as deployed: the loyalty discount was added with ``workflow.patched``."""

    @workflow.run
    async def run(self, customer: str) -> list[str]:
        steps = []
        if workflow.patched("loyalty-discount"):
            steps.append(
                await workflow.execute_activity(
                    apply_loyalty_discount, customer, start_to_close_timeout=TIMEOUT
                )
            )
        steps.append(
            await workflow.execute_activity(charge_renewal, customer, start_to_close_timeout=TIMEOUT)
        )
        steps.append(await workflow.execute_activity(send_receipt, customer, start_to_close_timeout=TIMEOUT))
        return steps


@workflow.defn(name="Renewal")
class RenewalPatchRemoved:
    """The stage after the exercise's: the discount for every renewal, and no patch call."""

    @workflow.run
    async def run(self, customer: str) -> list[str]:
        discount = await workflow.execute_activity(
            apply_loyalty_discount, customer, start_to_close_timeout=TIMEOUT
        )
        charged = await workflow.execute_activity(charge_renewal, customer, start_to_close_timeout=TIMEOUT)
        receipt = await workflow.execute_activity(send_receipt, customer, start_to_close_timeout=TIMEOUT)
        return [discount, charged, receipt]
