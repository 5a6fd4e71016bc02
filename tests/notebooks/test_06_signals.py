"""Notebook 06 in a real kernel: twice top to bottom (its widget clicks included), queued the way
Run All sends it, and its exercise check against right and wrong answers."""

from __future__ import annotations

import nbrun
import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from temporal_notebooks.runtime.connection import WatchResultsInterceptor
from temporal_notebooks.runtime.exercises import write_module

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
    "RPCError: That workflow is closed or does not exist",
    "same run: True",
    "['WorkflowExecutionStarted', 'WorkflowExecutionSignaled']",
    "['Welcome, Barbara!', 'Welcome, Donald!']",
    # the panel, clicked by code in the kernel
    "['Hello, Ada!'] | ✓ sent submit_greeting('Ada')",
    "Good evening ['Hello, Ada!', 'Good evening, Grace!']",
    "result: ['Hello, Ada!', 'Good evening, Grace!']",
    "the panel saw the workflow end: completed",
    "Not sent: The workflow is closed (completed): it takes no more signals.",
    "❌ Not yet: after the votes tea, tea, coffee it returned {}",
    '✅ Passed: "cast vote" counted every vote',
)


async def test_06_runs_twice_and_its_buttons_signal_the_workflow(client: Client) -> None:
    passes = await nbrun.execute_twice("06")
    for nb in passes:
        assert nbrun.errors(nb) == []
        text = nbrun.output_text(nb)
        for promised in PROMISED:
            assert promised in text, promised
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
    replies = await nbrun.run_all_queued("06", timeout_s=180)
    assert [r["status"] for r in replies] == ["ok"] * len(replies)


NO_CUSTOM_NAME = """
from temporalio import workflow


@workflow.defn(name="Tally")
class TallyWorkflow:
    def __init__(self) -> None:
        self.votes: dict[str, int] = {}
        self.closed = False

    @workflow.run
    async def run(self) -> dict[str, int]:
        await workflow.wait_condition(lambda: self.closed)
        return self.votes

    @workflow.signal
    def close(self) -> None:
        self.closed = True

    @workflow.signal
    def cast_vote(self, option: str) -> None:
        self.votes[option] = self.votes.get(option, 0) + 1
"""

BROKEN_HANDLER = NO_CUSTOM_NAME.replace(
    "@workflow.signal\n    def cast_vote", '@workflow.signal(name="cast vote")\n    def cast_vote'
).replace("self.votes.get(option, 0) + 1", "self.votez.get(option, 0) + 1")


# The broken handler fails its workflow task; the SDK then drops the handler's coroutine and says so.
@pytest.mark.filterwarnings("ignore:coroutine .*run_signal.* was never awaited:RuntimeWarning")
async def test_06_check_says_clearly_what_is_wrong(dev_server) -> None:
    from temporal_notebooks.exercises import lesson06

    watched = await Client.connect(dev_server.address, interceptors=[WatchResultsInterceptor()])
    write_module("exercise06", NO_CUSTOM_NAME)
    result = await lesson06.check(watched)
    assert not result
    assert 'no signal named "cast vote" (its signals: cast_vote, close)' in repr(result)
    write_module("exercise06", BROKEN_HANDLER)
    result = await lesson06.check(watched)
    assert not result and "running it failed" in repr(result) and "votez" in repr(result)
    write_module("exercise06", nbrun.solution_text("lesson06"))
    result = await lesson06.check(watched)
    assert result and "'tea': 2" in repr(result) and "'coffee': 1" in repr(result)
