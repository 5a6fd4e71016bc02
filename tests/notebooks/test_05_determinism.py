"""Notebook 05 (determinism) in a real kernel: twice top to bottom with its key outputs, as
JupyterLab's queued Run All; its exercise checks refuse the skeletons and Run All never shows a solution;
the replay theatre's widgets step by code as a click steps them."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs
from temporalio.client import Client, WorkflowExecutionStatus

RULES = {
    "system time": "datetime.datetime.now.__call__",
    "randomness": "random.randint.__call__",
    "I/O": "__builtins__.open",
    "threads": "threading.Thread.__call__",
}

KEY_OUTPUTS = [
    # the safe alternatives, and a replay of the same code
    "SafeValues(started_at='",
    "coupon='ADA-",
    "replayed 11 events; replay failure: None",
    # the sandbox stops each rule breaker; the watched handle shows it as one line
    "⚠ WorkflowTaskFailedError: The workflow task of 'tester.rule-breaker-system-time' failed: "
    "Cannot access datetime.datetime.now from inside a workflow (determinism.py line ",
    "Workflow code must be deterministic: use workflow.now() for the time. Then fix the workflow code, "
    "re-run the worker cell",
    *(f"{rule:>12}: Cannot access {blocked} from inside a workflow" for rule, blocked in RULES.items()),
    # module state does not survive between runs; activities are imported passed through
    "list length seen by each run: [1, 1, 1]",
    "with workflow.unsafe.imports_passed_through():",
    # replay: version 1 ok, the inserted step fails, the patch replays and new runs take the new path
    "['charged order-1', 'shipped order-1']",
    "ShipOrderV1 replays order-1: ok",
    # the replay theatre: where version 2 parts from the history, the learner's own copy, the patch mends it
    "Replay theatre: ShipOrderV2 parts from the history at event 5 (ActivityTaskScheduled): the code issued "
    "schedule activity check_fraud at line ",
    "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'charge_payment' does not match "
    "activity type of activity command 'check_fraud'",
    "Module 'my_ship_order' written and imported: MyShipOrder",
    "Replay theatre: MyShipOrder replays 17 events of tester.ship-order-1 clean.",
    "Replay theatre: ShipOrderPatched replays 17 events of tester.ship-order-1 clean.",
    "['order-2 looks fine', 'charged order-2', 'shipped order-2']",
    "MarkerRecorded",
    "Replay theatre: ShipOrderPatched replays 25 events of tester.ship-order-2 clean.",
    # the exercise: the skeleton is refused (the solution stays hidden)
    "❌ Not yet: a signup started before your change (recorded by SignupV1) cannot continue on your code: "
    "The workflow code no longer matches the recorded history: [TMPRL1100] Nondeterminism error: Activity "
    "type of scheduled event 'send_welcome_email' does not match activity type of activity command "
    "'add_to_newsletter'.",
    # the prediction exercise: the untouched cell is refused, and the theatre waits for a prediction
    "❌ Not yet: set predicted_event to a number: the id of an event in order-1's history table, not None.",
    "Make your prediction first: the theatre shows the answer.",
]


async def test_notebook_05_runs_twice_with_its_key_outputs(client: Client) -> None:
    for number, text, _nb in await passes_with_key_outputs("05", KEY_OUTPUTS):
        assert "Failure {" not in text and "WARN" not in text, f"pass {number}: raw core log in the notebook"
    # The runs the sandbox stopped were terminated, not left retrying their workflow task.
    for rule in RULES:
        workflow_id = f"tester.rule-breaker-{rule.replace(' ', '-').replace('/', '')}"
        description = await client.get_workflow_handle(workflow_id).describe()
        assert description.status == WorkflowExecutionStatus.TERMINATED, workflow_id


async def test_notebook_05_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("05")
