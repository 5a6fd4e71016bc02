"""Notebook 15 (schedules and visibility) in a real kernel: twice top to bottom with its key outputs,
as JupyterLab's queued Run All; and what it shows, read back from the server afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nbrun import assert_run_all_queued_ok, passes_with_key_outputs
from temporalio.client import Client
from temporalio.service import RPCError

from temporal_notebooks.runtime.visibility import listed

KEY_OUTPUTS = [
    "search attributes: OrderStatus (KEYWORD), OrderTotal (INT)",
    # a schedule: created, triggered, paused, updated, backfilled, its runs listed
    "schedule: tester.hourly-report - hourly sales report",
    "every: 1:00:00",
    "/namespaces/default/schedules/tester.hourly-report",
    "the schedule started tester.report-",
    "its result: sales report for north",
    "TemporalScheduledById = tester.hourly-report",
    "TemporalScheduledStartTime = ",
    "paused: True - paused while the south region is added",
    "every: 0:30:00",
    "actions taken: 5",
    ":00 UTC -> report-",
    ":30 UTC -> report-",
    "ReportWorkflow, COMPLETED",
    "count_workflows: 5",
    # custom search attributes, upserted and queried; the index catches up
    "order-1 packed / order-2 packed / order-3 waits for its payment",
    "upserts in order-2's history: 3",
    "UpsertWorkflowSearchAttributes",
    "shipped, over 50: ['order-2']",
    "its attributes: {'OrderStatus': 'shipped', 'OrderTotal': 80}",
    "awaiting payment: 1",
    "workflows?query=TaskQueue%20%3D%20%27tester.schedules%27",
    "order-3 packed",
    "shipped, over 50: ['order-2', 'order-3']",
    # memo versus search attribute
    "memo: {'gift_note': 'Happy birthday, Ada!'}",
    "RPCError: invalid query: invalid search attribute: gift_note",
    # the exercise: the skeleton is refused (Run All never applies the solution)
    "❌ Not yet: the run set no OrderStatus search attribute",
]


async def test_notebook_15_runs_twice_with_its_key_outputs(client: Client) -> None:
    since = f"StartTime > '{datetime.now(UTC).isoformat()}'"
    await passes_with_key_outputs("15", KEY_OUTPUTS)
    # The server agrees: each pass's schedule took 5 actions whose runs completed, and the status the
    # orders upserted is in the index (both passes' orders: 2 shipped over 50 each).
    by_schedule = f"TemporalScheduledById = 'tester.hourly-report' AND {since}"
    runs = await listed(client, f"{by_schedule} AND ExecutionStatus = 'Completed'", at_least=10)
    assert len(runs) == 10 and (await client.count_workflows(by_schedule)).count == 10
    assert {run.workflow_type for run in runs} == {"ReportWorkflow"}
    shipped = f"TaskQueue = 'tester.schedules' AND OrderStatus = 'shipped' AND OrderTotal > 50 AND {since}"
    assert len(await listed(client, shipped, at_least=4)) == 4
    # the clean-up cell deleted the schedule
    with pytest.raises(RPCError, match="not found"):
        await client.get_schedule_handle("tester.hourly-report").describe()


async def test_notebook_15_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("15")
