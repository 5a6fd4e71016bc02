"""Isolation: learners in separate processes run the signals lesson at the same moment, with the
same names in their cells, against one dev server, and each sees exactly their own results."""

from __future__ import annotations

import os
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from temporal_notebooks.classroom import class_status
from temporal_notebooks.classroom.simulation import GREETER_ID, TASK_QUEUE, run_class
from temporal_notebooks.runtime.learner import SEPARATOR

LEARNERS = 6
SIGNALS = 20


async def test_learners_see_only_their_own_workflows(dev_server, client: Client) -> None:
    tag = uuid.uuid4().hex[:6]
    learners = [f"iso{tag}-{i}" for i in range(LEARNERS)]

    run = await run_class(learners, dev_server.address, signals=SIGNALS, poll_ms=20)

    assert run.errors == []
    assert len(run.pids) == LEARNERS and not any(os.path.exists(f"/proc/{pid}") for pid in run.pids)
    assert [r.learner for r in run.reports] == sorted(learners)
    for report in run.reports:
        me = report.learner
        # Every process used the lesson's own names; scoped() alone kept them apart.
        assert report.workflow_id == f"{me}{SEPARATOR}{GREETER_ID}"
        assert report.task_queue == f"{me}{SEPARATOR}{TASK_QUEUE}"
        assert len(report.result) == SIGNALS + 1
        assert report.result == report.expected
        assert all(text.startswith(f"Hi from {me}, {me}-") for text in report.result)
        assert report.update_result == f"Hi from {me}, {me}-update!"
        assert len(report.latencies_ms) == SIGNALS
    assert len({r.run_id for r in run.reports}) == LEARNERS

    # The server agrees: one greeter per learner, and its history holds only that learner's signals.
    for report in run.reports:
        listed = [w async for w in client.list_workflows(f'WorkflowId STARTS_WITH "{report.learner}."')]
        assert [w.id for w in listed] == [report.workflow_id]
        assert listed[0].task_queue == report.task_queue
        handle = client.get_workflow_handle(report.workflow_id, run_id=report.run_id)
        signalled = [
            e.workflow_execution_signaled_event_attributes
            async for e in handle.fetch_history_events()
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]
        names = [s.input.payloads[0].data.decode() for s in signalled if s.signal_name == "submit_greeting"]
        assert len(names) == SIGNALS
        assert all(report.learner in name for name in names)
        assert [s.signal_name for s in signalled].count("exit") == 1

    # And the instructor view files every run under the right learner and lesson.
    status = await class_status(client, learners=learners)
    assert status.learners == sorted(learners)
    for learner in learners:
        assert status.lessons_run(learner) == ["06"]
        assert status.state(learner, "06") == "completed"


async def test_driver_processes_run_many_learners_each_apart(dev_server) -> None:
    """The class-capacity benchmark's learners: several per process (each with its own client,
    worker and task queue), yet each learner sees exactly their own greetings, and the processes
    are gone afterwards."""
    tag = uuid.uuid4().hex[:6]
    learners = [f"drv{tag}-{i}" for i in range(5)]

    run = await run_class(learners, dev_server.address, signals=4, drivers=2, wait="update")

    assert run.errors == []
    assert len(run.pids) == 2 and not any(os.path.exists(f"/proc/{pid}") for pid in run.pids)
    assert [r.learner for r in run.reports] == sorted(learners)
    for report in run.reports:
        me = report.learner
        assert report.workflow_id == f"{me}{SEPARATOR}{GREETER_ID}"
        assert report.task_queue == f"{me}{SEPARATOR}{TASK_QUEUE}"
        assert report.result == report.expected and len(report.result) == 5
        assert all(text.startswith(f"Hi from {me}, {me}-") for text in report.result)
        assert len(report.latencies_ms) == 4 and report.queries == 1  # waited by update: no polling
    assert len({r.run_id for r in run.reports}) == len(learners)
    assert set(run.learners_cpu_by_thread) == {"asyncio loop", "SDK core", "other threads"}
    assert run.learners_cpu_by_thread["asyncio loop"] > 0 and run.learners_cpu_by_thread["SDK core"] > 0
