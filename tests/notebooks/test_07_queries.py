"""Notebook 07 in a real kernel: twice top to bottom (its live view included), queued the way Run All
sends it, and its exercise check against right and wrong answers."""

from __future__ import annotations

import re

import nbrun

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
    # the replay theatre: the history holds no query, so the rebuilt count stays at 0
    "the history's recorded result: 1",
    "the rebuilt fields at the end: {'_times_asked': '0', '_finished': 'True'}",
    "at the signal: signal 'finish' arrives",
    "Replay theatre: MisbehavingQueriesWorkflow replays",
    '❌ Not yet: the workflow has no query named "steps left" (its queries: steps_left)',
)


async def test_07_runs_twice_and_its_view_stops_at_the_close() -> None:
    for nb in await nbrun.execute_twice("07"):
        assert nbrun.errors(nb) == []
        text = nbrun.output_text(nb)
        assert "Traceback (most recent" not in text and "never retrieved" not in text  # e.g. a leftover task
        for promised in PROMISED:
            assert promised in text, promised
        nbrun.assert_no_solution_shown("07", nb)
        polls = int(re.search(r"the view polled (\d+) times and stopped: True", text).group(1))
        assert polls >= 2  # it saw the workflow running before it saw it close


async def test_07_run_all_queued_like_jupyterlab() -> None:
    await nbrun.assert_run_all_queued_ok("07")
