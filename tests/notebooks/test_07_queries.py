"""Notebook 07 in a real kernel: twice top to bottom (its live view included), queued the way Run All
sends it, and its exercise check against right and wrong answers."""

from __future__ import annotations

import re

import nbrun
from temporalio.client import Client

from temporal_notebooks.runtime.connection import WatchResultsInterceptor
from temporal_notebooks.runtime.exercises import write_module

PROMISED = (
    "status: packing | packed so far:",
    "the workflow completed; the view polled",
    "PackingProgress(packed=['teapot (boxed)', 'cups (boxed)', 'saucers (boxed)', 'tray (boxed)'], "
    "remaining=[], status='shipped')",
    "teapot packed: True",
    "lamp packed:   False",
    "WorkflowQueryRejectedError: The query was rejected: the workflow is completed.",
    "WorkflowQueryFailedError: The query failed: While in read-only function, "
    "action attempted: start activity",
    "['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted']",
    "[1, 2, 3]",
    "four queries were asked; the workflow's own count: 1",
    '❌ Not yet: the workflow has no query named "steps left" (its queries: steps_left)',
    '✅ Passed: "steps left" answered 3 → 2 → 1',
)


async def test_07_runs_twice_and_its_view_stops_at_the_close() -> None:
    for nb in await nbrun.execute_twice("07"):
        assert nbrun.errors(nb) == []
        text = nbrun.output_text(nb)
        for promised in PROMISED:
            assert promised in text, promised
        polls = int(re.search(r"the view polled (\d+) times and stopped: True", text).group(1))
        assert polls >= 2  # it saw the workflow running before it saw it close


async def test_07_run_all_queued_like_jupyterlab() -> None:
    replies = await nbrun.run_all_queued("07", timeout_s=180)
    assert [r["status"] for r in replies] == ["ok"] * len(replies)


SKELETON_RENAMED = """
from datetime import timedelta

from temporalio import workflow


@workflow.defn(name="Countdown")
class CountdownWorkflow:
    def __init__(self) -> None:
        self.left = 0

    @workflow.run
    async def run(self, start: int) -> str:
        self.left = start
        while self.left > 0:
            await workflow.sleep(timedelta(seconds=0.3))
            self.left -= 1
        return "liftoff"

    @workflow.query(name="steps left")
    def steps_left(self) -> int:
        return -1
"""

QUERY_RAISES = SKELETON_RENAMED.replace("return -1", "return self.remaining")


async def test_07_check_says_clearly_what_is_wrong(dev_server) -> None:
    from temporal_notebooks.exercises import lesson07

    watched = await Client.connect(dev_server.address, interceptors=[WatchResultsInterceptor()])
    write_module("exercise07", SKELETON_RENAMED)
    result = await lesson07.check(watched)
    assert not result and 'counting down from 3, "steps left" answered [-1' in repr(result)
    write_module("exercise07", QUERY_RAISES)
    result = await lesson07.check(watched)
    assert not result and 'asking "steps left" failed' in repr(result) and "remaining" in repr(result)
    write_module("exercise07", nbrun.solution_text("lesson07"))
    result = await lesson07.check(watched)
    assert result and "3 → 2 → 1" in repr(result)
