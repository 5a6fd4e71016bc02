"""Notebook 03 (custom type names) in a real kernel: twice top to bottom with its key outputs, as
JupyterLab's queued Run All; and its check, with the solution and with wrong answers."""

from __future__ import annotations

import sys
import time

from nbrun import (
    assert_run_all_queued_ok,
    errors,
    execute_twice,
    exercise_source,
    output_text,
    solution_text,
)
from temporalio.client import Client

from temporal_notebooks.exercises import lesson03
from temporal_notebooks.runtime import write_module

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
    # the exercise: skeleton fails, solution passes
    '❌ Not yet: the workflow type is \'InvoiceWorkflow\', expected "invoice.v1"; no signal "approve" '
    "(registered: 'approve_invoice'); no query \"state\" (registered: 'current_state').",
    '✅ Passed: the billing service started "invoice.v1", asked "state" and sent "approve"',
]


async def test_notebook_03_runs_twice_with_its_key_outputs() -> None:
    started = time.perf_counter()
    passes = await execute_twice("03")
    print(f"notebook 03, two passes in one kernel: {time.perf_counter() - started:.1f} s")
    for number, nb in enumerate(passes, 1):
        assert errors(nb) == [], f"pass {number}"
        text = output_text(nb)
        for expected in KEY_OUTPUTS:
            assert expected in text, f"pass {number}: missing {expected!r}"
        # searching by the class name finds nothing: the list after that command is empty
        after = text.split("WorkflowType = 'CheckoutWorkflow'", 1)[1]
        assert after.split("\n", 2)[1] == "(no output)", f"pass {number}"
        assert text.index("❌ Not yet") < text.index("✅ Passed"), f"pass {number}"


async def test_notebook_03_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("03")


# --- the check, called directly ---------------------------------------------------------------------


def exercise_cell() -> str:
    return exercise_source("03", "exercise03")


def solution() -> str:
    return solution_text("lesson03")


async def test_check_fails_clearly_on_the_skeleton_without_running_anything(notebook_client: Client) -> None:
    write_module("exercise03", exercise_cell())
    started = time.perf_counter()
    result = await lesson03.check(notebook_client)
    assert time.perf_counter() - started < 1
    assert not result.passed
    assert result.message == (
        'the workflow type is \'InvoiceWorkflow\', expected "invoice.v1"; no signal "approve" '
        "(registered: 'approve_invoice'); no query \"state\" (registered: 'current_state')."
    )


async def test_check_names_what_is_still_missing(notebook_client: Client) -> None:
    write_module("exercise03", solution().replace('@workflow.query(name="state")', "@workflow.query"))
    result = await lesson03.check(notebook_client)
    assert not result.passed
    assert result.message == "no query \"state\" (registered: 'current_state')."


async def test_check_runs_the_billing_service_and_reports_a_broken_run(notebook_client: Client) -> None:
    """Right names, wrong behaviour: the run never calls the activity."""
    source = solution()
    start = source.index("return await workflow.execute_activity(")
    end = source.index("        )\n", start) + len("        )\n")
    wrong = source[:start] + 'return f"{invoice_id} approved"\n' + source[end:]
    assert "execute_activity" not in wrong
    write_module("exercise03", wrong)
    result = await lesson03.check(notebook_client)
    assert not result.passed
    assert result.message == 'the run never called activity "invoice.send" (the history has: none).'


async def test_check_asks_for_the_module_cell_first(notebook_client: Client) -> None:
    sys.modules.pop("exercise03", None)
    result = await lesson03.check(notebook_client)
    assert not result.passed
    assert result.message == "run the %%module_file exercise03 cell first."
