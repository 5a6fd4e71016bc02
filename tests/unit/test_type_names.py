"""Lesson 03 workflows: default and custom type names, calls by string, and the refactor story."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_notebooks.activities.type_names import charge_payment, reserve_stock
from temporal_notebooks.runtime import connect, registered_names
from temporal_notebooks.runtime.cli import temporal_cli
from temporal_notebooks.widgets.history import event_details, event_name
from temporal_notebooks.workflows.type_names import (
    CheckoutWorkflow,
    OrderWorkflow,
    PinnedPurchaseWorkflow,
    PurchaseWorkflow,
)


@contextlib.asynccontextmanager
async def worker_for(
    client: Client, workflows: Sequence[type], queue: str | None = None
) -> AsyncIterator[str]:
    queue = queue or f"type-names-{uuid.uuid4()}"
    with concurrent.futures.ThreadPoolExecutor() as pool:
        async with Worker(
            client,
            task_queue=queue,
            workflows=list(workflows),
            activities=[reserve_stock, charge_payment],
            activity_executor=pool,
        ):
            yield queue


def new_id() -> str:
    return f"type-names-{uuid.uuid4()}"


def test_defaults_and_custom_names() -> None:
    names = registered_names(CheckoutWorkflow, reserve_stock, charge_payment)
    assert [(n.kind, n.python_name, n.type_name, n.custom) for n in names] == [
        ("workflow", "CheckoutWorkflow", "Checkout", True),
        ("signal", "CheckoutWorkflow.add_item", "add_item", False),
        ("signal", "CheckoutWorkflow.submit_payment", "pay", True),
        ("query", "CheckoutWorkflow.items", "items", False),
        ("query", "CheckoutWorkflow.total_cents", "total", True),
        ("update", "CheckoutWorkflow.apply_coupon", "apply-coupon", True),
        ("activity", "reserve_stock", "reserve_stock", False),
        ("activity", "charge_payment", "charge-card", True),
    ]
    assert registered_names(PinnedPurchaseWorkflow).type_name("PinnedPurchaseWorkflow") == "OrderWorkflow"
    assert "'charge-card'  (name=...)" in repr(names)


async def test_everything_by_its_string_name(env: WorkflowEnvironment) -> None:
    async with worker_for(env.client, [CheckoutWorkflow]) as queue:
        handle = await env.client.start_workflow("Checkout", "Ada", id=new_id(), task_queue=queue)
        await handle.signal("add_item", "tea")
        await handle.signal("add_item", "cake")
        assert await handle.execute_update("apply-coupon", "SPRING10") == 720
        assert await handle.query("items") == ["tea", "cake"]
        assert await handle.query("total") == 720
        await handle.signal("pay")
        assert await handle.result() == "Ada: 2 item(s), charged 7.20"
        events = [event async for event in handle.fetch_history_events()]
    described = [(event_name(e), event_details(e)) for e in events]
    assert described[0][1].startswith("Checkout")
    signals = [d for n, d in described if n == "WorkflowExecutionSignaled"]
    assert [s.split(" ")[0] for s in signals] == ["add_item", "add_item", "pay"]
    assert any(n == "WorkflowExecutionUpdateAccepted" and "apply-coupon" in d for n, d in described)
    activities = [d.split(" ")[0] for n, d in described if n == "ActivityTaskScheduled"]
    assert activities == ["reserve_stock", "charge-card"]


async def test_method_references_send_the_registered_names(env: WorkflowEnvironment) -> None:
    async with worker_for(env.client, [CheckoutWorkflow]) as queue:
        handle = await env.client.start_workflow(CheckoutWorkflow.run, "Bo", id=new_id(), task_queue=queue)
        await handle.signal(CheckoutWorkflow.add_item, "scone")
        assert await handle.query(CheckoutWorkflow.total_cents) == 400
        await handle.signal(CheckoutWorkflow.submit_payment)
        assert await handle.result() == "Bo: 1 item(s), charged 4.00"
        description = await handle.describe()
    assert description.workflow_type == "Checkout"


async def test_unknown_coupon_is_rejected(env: WorkflowEnvironment) -> None:
    async with worker_for(env.client, [CheckoutWorkflow]) as queue:
        handle = await env.client.start_workflow("Checkout", "Cy", id=new_id(), task_queue=queue)
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await handle.execute_update("apply-coupon", "FREE")
        await handle.terminate("test over")
    assert "Unknown coupon 'FREE'" in str(caught.value.cause)


async def test_cli_shows_the_type_names(client: Client) -> None:
    await connect(quiet=True)
    async with worker_for(client, [CheckoutWorkflow]) as queue:
        workflow_id = new_id()
        handle = await client.start_workflow("Checkout", "Dee", id=workflow_id, task_queue=queue)
        described = await temporal_cli("workflow", "describe", "--workflow-id", workflow_id)
        listed = await temporal_cli("workflow", "list", "--query", f"WorkflowId = '{workflow_id}'")
        await handle.terminate("test over")
    assert described.ok and listed.ok, (described, listed)
    assert any(line.split() == ["Type", "Checkout"] for line in described.stdout.splitlines())
    assert "Checkout" in listed.stdout and workflow_id in listed.stdout


async def test_a_refactor_renames_types_and_pinned_names_keep_them(client: Client) -> None:
    queue = f"refactor-{uuid.uuid4()}"
    async with worker_for(client, [OrderWorkflow], queue):
        order = await client.start_workflow("OrderWorkflow", "A-1", id=new_id(), task_queue=queue)
        assert await order.query("status") == "waiting for shipment"

    async with worker_for(client, [PurchaseWorkflow], queue):
        # The run started by release 1 cannot be served: its type is not registered any more.
        with pytest.raises(WorkflowQueryFailedError, match="OrderWorkflow is not registered"):
            await order.query("status")
        # A client still starting "OrderWorkflow" gets a workflow task that fails and is retried.
        stuck = await client.start_workflow("OrderWorkflow", "A-2", id=new_id(), task_queue=queue)
        failure = await asyncio.wait_for(first_task_failure(stuck), 10)
        assert "Workflow class OrderWorkflow is not registered on this worker" in failure
        await stuck.terminate("test over")
        # An old signal name is accepted by the server and then silently never handled.
        purchase = await client.start_workflow("PurchaseWorkflow", "A-3", id=new_id(), task_queue=queue)
        await purchase.signal("ship")
        assert await purchase.query("current_status") == "waiting for shipment"
        with pytest.raises(
            WorkflowQueryFailedError, match="Query handler for 'status' expected but not found"
        ):
            await purchase.query("status")
        await purchase.terminate("test over")

    async with worker_for(client, [PinnedPurchaseWorkflow], queue):
        # The same refactor with the names pinned: the run from release 1 carries on.
        assert await order.query("status") == "waiting for shipment"
        await order.signal("ship")
        assert await asyncio.wait_for(order.result(), 10) == "order A-1 shipped"


async def first_task_failure(handle) -> str:
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return event.workflow_task_failed_event_attributes.failure.message
    raise AssertionError("the workflow closed without a workflow task failure")
