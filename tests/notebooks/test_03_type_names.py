"""Notebook 03 (custom type names) in a real kernel: twice top to bottom with its key outputs, as
JupyterLab's queued Run All; its exercise check refuses the skeleton and Run All never shows the solution."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    # defaults and name=...
    "workflow  CheckoutWorkflow                 →  'Checkout'  (name=...)",
    "signal    CheckoutWorkflow.add_item        →  'add_item'\n",
    "activity  charge_payment                   →  'charge-card'  (name=...)",
    # everything by its string name
    "items: ['tea', 'cake']",
    "total after the coupon: 720",
    # a query name typo lists the workflow's own queries, not the SDK's internal ones
    "The workflow has no query named 'total_cents' (its queries: [items total]). Names must match exactly",
    "Ada: 2 item(s), charged 7.20",
    # the names in the history
    'WorkflowExecutionStarted Checkout · input: "Ada"',
    'WorkflowExecutionSignaled add_item · input: "tea"',
    "WorkflowExecutionSignaled pay",
    "WorkflowExecutionUpdateAccepted update apply-coupon",
    "ActivityTaskScheduled reserve_stock",
    "ActivityTaskScheduled charge-card · input: 720",
    # the names in the CLI
    "$ temporal workflow describe --workflow-id tester.checkout-ada",
    "  Type                  Checkout\n",
    "$ temporal workflow list --query \"WorkflowType = 'Checkout' AND WorkflowId STARTS_WITH 'tester.'\"",
    "Completed  tester.checkout-ada  Checkout",
    "$ temporal workflow list --query \"WorkflowType = 'CheckoutWorkflow' AND WorkflowId STARTS_WITH "
    "'tester.'\" --address",
    # the refactor: what breaks, and the pinned names
    "A-1: waiting for shipment",
    "workflow  PurchaseWorkflow                 →  'PurchaseWorkflow'",
    "No worker on the run's task queue knows its workflow type 'OrderWorkflow' (it has: PurchaseWorkflow), "
    "so nothing can answer the query.",
    "No worker on this task queue knows the workflow type 'OrderWorkflow' (it has: PurchaseWorkflow), so run "
    "'tester.order-a2' cannot start.",
    "A-3 after the signal: waiting for shipment",
    "workflow  PinnedPurchaseWorkflow                 →  'OrderWorkflow'  (name=...)",
    "A-1: order A-1 shipped",
    # the exercise: the skeleton is refused (the solution stays hidden)
    '❌ Not yet: the workflow type is \'InvoiceWorkflow\', expected "invoice.v1"; no signal "approve" '
    "(registered: 'approve_invoice'); no query \"state\" (registered: 'current_state').",
]


async def test_notebook_03_runs_twice_with_its_key_outputs() -> None:
    for number, text, _nb in await passes_with_key_outputs("03", KEY_OUTPUTS):
        # searching by the class name finds nothing: the list after that command is empty
        after = text.split("WorkflowType = 'CheckoutWorkflow'", 1)[1]
        assert after.split("\n", 2)[1] == "(no output)", f"pass {number}"


async def test_notebook_03_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("03")
