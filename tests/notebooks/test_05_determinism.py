"""Notebook 05 (determinism) in a real kernel: twice top to bottom with its key outputs, as
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
from temporalio.client import Client, WorkflowExecutionStatus

from temporal_notebooks.exercises import lesson05
from temporal_notebooks.runtime import write_module

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
    "⚠ NondeterminismError: The workflow code no longer matches the recorded history: [TMPRL1100] "
    "Nondeterminism error: Activity type of scheduled event 'charge_payment' does not match activity type "
    "of activity command 'check_fraud'. Guard a change",
    "ShipOrderPatched replays order-1 (recorded by version 1): ok",
    "['order-2 looks fine', 'charged order-2', 'shipped order-2']",
    "MarkerRecorded",
    # the exercise: skeleton fails, solution passes
    "❌ Not yet: a signup started before your change (recorded by SignupV1) cannot continue on your code: "
    "The workflow code no longer matches the recorded history: [TMPRL1100] Nondeterminism error: Activity "
    "type of scheduled event 'send_welcome_email' does not match activity type of activity command "
    "'add_to_newsletter'.",
    "✅ Passed: a signup recorded by the old code replays with yours, and a new signup runs "
    "create_account → add_to_newsletter → send_welcome_email.",
]


async def test_notebook_05_runs_twice_with_its_key_outputs(client: Client) -> None:
    started = time.perf_counter()
    passes = await execute_twice("05")
    print(f"notebook 05, two passes in one kernel: {time.perf_counter() - started:.1f} s")
    for number, nb in enumerate(passes, 1):
        assert errors(nb) == [], f"pass {number}"
        text = output_text(nb)
        for expected in KEY_OUTPUTS:
            assert expected in text, f"pass {number}: missing {expected!r}"
        assert text.index("❌ Not yet") < text.index("✅ Passed"), f"pass {number}"
        assert "Failure {" not in text and "WARN" not in text, f"pass {number}: raw core log in the notebook"
    # The runs the sandbox stopped were terminated, not left retrying their workflow task.
    for rule in RULES:
        workflow_id = f"tester.rule-breaker-{rule.replace(' ', '-').replace('/', '')}"
        description = await client.get_workflow_handle(workflow_id).describe()
        assert description.status == WorkflowExecutionStatus.TERMINATED, workflow_id


async def test_notebook_05_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("05")


# --- the check, called directly ---------------------------------------------------------------------


def exercise_cell() -> str:
    return exercise_source("05", "exercise05")


def solution() -> str:
    return solution_text("lesson05")


async def test_check_fails_clearly_on_the_skeleton(notebook_client: Client) -> None:
    write_module("exercise05", exercise_cell())
    result = await lesson05.check(notebook_client)
    assert not result.passed
    assert result.message.startswith(
        "a signup started before your change (recorded by SignupV1) cannot continue on your code: The "
        "workflow code no longer matches the recorded history: [TMPRL1100] Nondeterminism error: Activity "
        "type of scheduled event 'send_welcome_email' does not match activity type of activity command "
        "'add_to_newsletter'."
    ), result.message


async def test_check_fails_clearly_when_the_patch_is_inverted(notebook_client: Client) -> None:
    write_module("exercise05", solution().replace("if workflow.patched(", "if not workflow.patched("))
    result = await lesson05.check(notebook_client)
    assert not result.passed
    assert "cannot continue on your code" in result.message and "[TMPRL1100]" in result.message


NEWSLETTER_LAST = """
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities import determinism as steps


@workflow.defn(name="Signup")
class SignupWorkflow:
    @workflow.run
    async def run(self, email: str) -> list[str]:
        timeout = {"start_to_close_timeout": timedelta(seconds=10)}
        done = [await workflow.execute_activity(steps.create_account, email, **timeout)]
        done.append(await workflow.execute_activity(steps.send_welcome_email, email, **timeout))
        if workflow.patched("newsletter"):  # safe for old runs, but after the welcome email
            done.append(await workflow.execute_activity(steps.add_to_newsletter, email, **timeout))
        return done
"""


async def test_check_fails_clearly_when_the_new_step_is_in_the_wrong_place(notebook_client: Client) -> None:
    write_module("exercise05", NEWSLETTER_LAST)
    result = await lesson05.check(notebook_client)
    assert not result.passed
    assert result.message == (
        "a new signup ran the activities ['create_account', 'send_welcome_email', 'add_to_newsletter']; "
        "expected ['create_account', 'add_to_newsletter', 'send_welcome_email']."
    )


async def test_check_fails_clearly_when_workflow_code_raises(notebook_client: Client) -> None:
    write_module("exercise05", solution().replace("return steps", "return undefined_steps"))
    started = time.perf_counter()
    result = await lesson05.check(notebook_client)
    assert not result.passed
    assert "undefined_steps" in result.message
    assert time.perf_counter() - started < 10  # the watched handle reports it; nothing waits for a timeout


async def test_check_asks_for_the_module_cell_first(notebook_client: Client) -> None:
    sys.modules.pop("exercise05", None)
    result = await lesson05.check(notebook_client)
    assert not result.passed
    assert result.message == "run the %%module_file exercise05 cell first."
