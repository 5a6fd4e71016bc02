"""Notebooks 00 and 01 in a real kernel: twice top to bottom, and queued the way Run All sends them."""

from __future__ import annotations

import nbrun
import pytest
from temporalio.client import Client

from temporal_notebooks.runtime.exercises import write_module


async def test_00_start_here_runs_twice() -> None:
    for nb in await nbrun.execute_twice("00"):
        assert nbrun.errors(nb) == []
        text = nbrun.output_text(nb)
        assert "✅ temporalio" in text and "❌" not in text
        assert "Temporal local dev server at 127.0.0.1:" in text and "Web UI: http://127.0.0.1:" in text
        assert "learner id: tester" in text and "tester.greeting" in text
        assert "Hello, Temporal learner!" in text
        assert "open in the Temporal Web UI" in text and "<svg" in text


async def test_01_workflow_basics_runs_twice() -> None:
    for nb in await nbrun.execute_twice("01"):
        assert nbrun.errors(nb) == []
        text = nbrun.output_text(nb)
        for promised in (
            "Hello, Ada!",
            "result: Hello, Grace!",
            "Good evening, Dr. Hopper!",
            "'WorkflowExecutionStarted', 'WorkflowTaskScheduled'",
            "ActivityTaskCompleted",
            # the client's type name typo: a line about the name, not "fix the workflow code"
            "WorkflowTaskFailedError: No worker on this task queue knows the workflow type 'GreetingWorkflw' "
            "(it has: FormalGreeting, GreetingWorkflow), so run 'tester.typo-greeting' cannot start. Check "
            "the type name where the workflow is started (a typo?)",
            "Result: Hello, Ada!",  # the starter script, through asyncio.run + nest_asyncio2
            "<script greeting-app-worker: stopped>",
            "❌ Not yet: for 'Ada' it returned 'TODO'",  # the exercise skeleton
            "✅ Passed: \"Shout\" returned 'HELLO, ADA!'",  # after %solution
        ):
            assert promised in text, promised


@pytest.mark.parametrize("name", ["00", "01"])
async def test_run_all_queued_like_jupyterlab(name: str) -> None:
    """Every execute request sent at once: each must finish ok (the archived nest_asyncio hangs here)."""
    replies = await nbrun.run_all_queued(name, timeout_s=120)
    assert [r["status"] for r in replies] == ["ok"] * len(replies)


WRONG_NAME = """
from temporalio import workflow

@workflow.defn(name="Whisper")
class ShoutWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return "hello"
"""

BROKEN = """
from temporalio import workflow

@workflow.defn(name="Shout")
class ShoutWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return undefined_name
"""


async def test_01_check_says_clearly_what_is_wrong(client: Client, dev_server) -> None:
    from temporal_notebooks.exercises import lesson01
    from temporal_notebooks.runtime.connection import WatchResultsInterceptor

    watched = await Client.connect(dev_server.address, interceptors=[WatchResultsInterceptor()])
    write_module("exercise01", WRONG_NAME)
    result = await lesson01.check(watched)
    assert not result and 'no @workflow.defn class with name="Shout"' in repr(result)
    write_module("exercise01", BROKEN)
    result = await lesson01.check(watched)
    assert not result and "undefined_name" in repr(result) and "running it failed" in repr(result)
    write_module("exercise01", nbrun.solution_text("lesson01"))
    result = await lesson01.check(watched)
    assert result and "HELLO, ADA!" in repr(result)
