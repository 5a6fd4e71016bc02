"""Lesson 03 workflows: the names Temporal knows them by. Workflow classes only (sandbox re-imports).

``CheckoutWorkflow`` mixes default and custom names. ``OrderWorkflow`` → ``PurchaseWorkflow`` is a
refactor that renames a class and its methods (and so, silently, the type names clients use);
``PinnedPurchaseWorkflow`` is the same refactor with the old names kept by ``name=...``.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.type_names import charge_payment, reserve_stock

PRICE_CENTS = 400
COUPONS = {"SPRING10": 10, "HALFPRICE": 50}
ACTIVITY_TIMEOUT = timedelta(seconds=10)


@workflow.defn(name="Checkout")  # clients start it as "Checkout", not "CheckoutWorkflow"
class CheckoutWorkflow:
    def __init__(self) -> None:
        self._items: list[str] = []
        self._discount_percent = 0
        self._paid = False

    @workflow.run
    async def run(self, customer: str) -> str:
        await workflow.wait_condition(lambda: self._paid)
        await workflow.execute_activity(reserve_stock, self._items, start_to_close_timeout=ACTIVITY_TIMEOUT)
        receipt = await workflow.execute_activity(
            charge_payment, self.total_cents(), start_to_close_timeout=ACTIVITY_TIMEOUT
        )
        return f"{customer}: {len(self._items)} item(s), {receipt}"

    @workflow.signal  # signal name: "add_item" (the method name)
    def add_item(self, item: str) -> None:
        self._items.append(item)

    @workflow.signal(name="pay")  # signal name: "pay"
    def submit_payment(self) -> None:
        self._paid = True

    @workflow.query  # query name: "items"
    def items(self) -> list[str]:
        return list(self._items)

    @workflow.query(name="total")  # query name: "total"
    def total_cents(self) -> int:
        return len(self._items) * PRICE_CENTS * (100 - self._discount_percent) // 100

    @workflow.update(name="apply-coupon")  # update name: "apply-coupon"
    def apply_coupon(self, code: str) -> int:
        """Returns the new total."""
        self._discount_percent = COUPONS[code]
        return self.total_cents()

    @apply_coupon.validator
    def check_coupon(self, code: str) -> None:
        if code not in COUPONS:
            raise ValueError(f"Unknown coupon {code!r}")


# --- a refactor, three releases ------------------------------------------------------------------


@workflow.defn  # release 1: every name is a default, "OrderWorkflow", "ship", "status"
class OrderWorkflow:
    def __init__(self) -> None:
        self._shipped = False

    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.wait_condition(lambda: self._shipped)
        return f"order {order_id} shipped"

    @workflow.signal
    def ship(self) -> None:
        self._shipped = True

    @workflow.query
    def status(self) -> str:
        return "shipped" if self._shipped else "waiting for shipment"


@workflow.defn  # release 2: class and methods renamed, so the type names changed too
class PurchaseWorkflow:
    def __init__(self) -> None:
        self._shipped = False

    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.wait_condition(lambda: self._shipped)
        return f"order {order_id} shipped"

    @workflow.signal
    def mark_shipped(self) -> None:
        self._shipped = True

    @workflow.query
    def current_status(self) -> str:
        return "shipped" if self._shipped else "waiting for shipment"


@workflow.defn(name="OrderWorkflow")  # release 2 done right: new Python names, the old type names
class PinnedPurchaseWorkflow:
    def __init__(self) -> None:
        self._shipped = False

    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.wait_condition(lambda: self._shipped)
        return f"order {order_id} shipped"

    @workflow.signal(name="ship")
    def mark_shipped(self) -> None:
        self._shipped = True

    @workflow.query(name="status")
    def current_status(self) -> str:
        return "shipped" if self._shipped else "waiting for shipment"
