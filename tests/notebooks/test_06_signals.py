"""Notebook 06 in a real kernel: twice top to bottom (its widget clicks included), queued the way
Run All sends it, and its exercise check against right and wrong answers."""

from __future__ import annotations

import nbrun
from temporalio.client import Client, WorkflowExecutionStatus

PROMISED = (
    "signal sent to tester.greeter",
    "['Hello, Ada!']",
    "['Hello, Ada!', 'Hello, Grace!', 'Hello, Linus!']",
    "Good evening → Good evening, Margaret!",
    "change salutation",  # the custom name, in the history table
    "signalled tester.greeter with 'Katherine'",
    "Good evening, Katherine!",
    "sender:   ['SignalExternalWorkflowExecutionInitiated', 'ExternalWorkflowExecutionSignaled']",
    "receiver: WorkflowExecutionSignaled 'submit_greeting' from tester.greeting-relay",
    "RPCError: That workflow has already closed (workflow execution already completed)",
    "same run: True",
    "['WorkflowExecutionStarted', 'WorkflowExecutionSignaled']",
    "['Welcome, Barbara!', 'Welcome, Donald!']",
    # the panel, clicked by code in the kernel
    "['Hello, Ada!'] | ✓ sent submit_greeting('Ada')",
    "Good evening ['Hello, Ada!', 'Good evening, Grace!']",
    "result: ['Hello, Ada!', 'Good evening, Grace!']",
    "the panel saw the workflow end: completed",
    "Not sent: The workflow is closed (completed): it takes no more signals.",
    "❌ Not yet: after the votes coffee, tea, tea it returned {}",
)


async def test_06_runs_twice_and_its_buttons_signal_the_workflow(client: Client) -> None:
    passes = await nbrun.execute_twice("06")
    for nb in passes:
        assert nbrun.errors(nb) == []
        text = nbrun.output_text(nb)
        for promised in PROMISED:
            assert promised in text, promised
        nbrun.assert_no_solution_shown("06", nb)
        # The panel's widgets are on the page with the classes browser tests look for.
        panel_cell = next(c for c in nb.cells if c.cell_type == "code" and "signal_panel(" in c.source)
        assert any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in panel_cell.outputs
        )
    # What the clicks did, seen from outside the kernel: the panel's workflow ran and ended as clicked.
    handle = client.get_workflow_handle("tester.greeter-panel")
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert await handle.result() == ["Hello, Ada!", "Good evening, Grace!"]
    signals = [
        e.workflow_execution_signaled_event_attributes.signal_name
        async for e in handle.fetch_history_events()
        if e.HasField("workflow_execution_signaled_event_attributes")
    ]
    assert signals == ["submit_greeting", "change salutation", "submit_greeting", "exit"]


async def test_06_run_all_queued_like_jupyterlab() -> None:
    await nbrun.assert_run_all_queued_ok("06")
