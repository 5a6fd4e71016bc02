"""The replay theatre's recording on the real dev server, sandbox on: for each step, the line lit and
the event lit, on the lessons' workflows (activities, timers, signals, updates), a parent with a child
workflow, a changed class (the step where it parts from the history) and a patched class (clean)."""

from __future__ import annotations

import asyncio
import json
import textwrap
import uuid

import pytest
from family_workflows import ChildWorkflow, ParentWorkflow
from temporalio import workflow
from temporalio.client import Client, WorkflowHistory

from temporal_notebooks.activities.determinism import charge_payment, check_fraud, ship_parcel
from temporal_notebooks.activities.durable import STEPS, Order
from temporal_notebooks.activities.message_handlers import Booking, Concert, charge_card
from temporal_notebooks.runtime.exercises import short_lived_worker, write_module
from temporal_notebooks.runtime.replay import Recording, TheatreUnavailable, record_replay
from temporal_notebooks.widgets.theatre import ReplayTheatre, replay_theatre
from temporal_notebooks.workflows.determinism import ShipOrderPatched, ShipOrderV1, ShipOrderV2
from temporal_notebooks.workflows.durable import OrderWorkflow
from temporal_notebooks.workflows.message_handlers import ConcertWorkflow


async def run(client: Client, workflows: list[type], activities: list, start) -> WorkflowHistory:
    """Run one workflow on a worker of its own (``start(client, task_queue)`` starts it); its history."""
    task_queue = f"theatre-{uuid.uuid4().hex[:8]}"
    async with short_lived_worker(client, task_queue, workflows=workflows, activities=activities):
        handle = await start(client, task_queue)
        await asyncio.wait_for(handle.result(), 30)
    return await handle.fetch_history()


def source_at(recording: Recording, line: int | None) -> str:
    assert line is not None, "no line lit"
    return recording.source[line - recording.first_line].strip()


def steps_of(recording: Recording, event_name: str) -> list:
    names = {e["id"]: e["name"] for e in recording.events}
    return [step for step in recording.steps if names[step.event] == event_name]


async def test_activities_and_timers_light_the_line_that_made_them(client: Client) -> None:
    async def start(client: Client, queue: str):
        order = Order(f"o-{uuid.uuid4().hex[:6]}", pause_s=0.05, work_s=0.01)
        return await client.start_workflow(OrderWorkflow.run, order, id=order.order_id, task_queue=queue)

    recording = await record_replay(await run(client, [OrderWorkflow], list(STEPS), start), OrderWorkflow)
    assert recording.failure == "" and recording.divergence is None
    assert len(recording.steps) == len(recording.events)  # every event reached
    scheduled = steps_of(recording, "ActivityTaskScheduled")
    assert [s.command for s in scheduled] == [f"schedule activity {step.__name__}" for step in STEPS]
    for number, step in enumerate(scheduled):
        assert source_at(recording, step.line) == "result = await workflow.execute_activity("
        assert step.matched == "by id"
        assert ["number", str(number)] in step.locals
        fields = dict(step.fields)  # repr, cut to fit: a long one ends in "…"
        assert repr([f"{s.__name__} done" for s in STEPS[:number]]).startswith(fields["done"].rstrip("…"))
    timers = steps_of(recording, "TimerStarted")
    assert len(timers) == 3
    for timer in timers:
        assert source_at(recording, timer.line).startswith("await workflow.sleep(")
        assert timer.matched == "by id"  # timerId == str(seq)
    # While the timer runs, the run coroutine waits at the sleep.
    fired = steps_of(recording, "TimerFired")[0]
    assert [w["function"] for w in fired.waiting] == ["run"]
    assert source_at(recording, fired.waiting[0]["line"]).startswith("await workflow.sleep(")
    completed = steps_of(recording, "WorkflowExecutionCompleted")[0]
    assert source_at(recording, completed.line) == "return self.done"
    assert source_at(recording, recording.steps[0].line).startswith("async def run(")


async def test_updates_and_signals_light_their_handlers(client: Client) -> None:
    async def start(client: Client, queue: str):
        handle = await client.start_workflow(
            ConcertWorkflow.run, Concert("gig", 10), id=f"c-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        await handle.execute_update(ConcertWorkflow.book, Booking("Ada", 2))
        await handle.signal(ConcertWorkflow.close)
        return handle

    history = await run(client, [ConcertWorkflow], [charge_card], start)
    recording = await record_replay(history, ConcertWorkflow)
    assert recording.divergence is None
    accepted = steps_of(recording, "WorkflowExecutionUpdateAccepted")[0]
    assert source_at(recording, accepted.line).startswith("async def book(self, booking")
    charge = steps_of(recording, "ActivityTaskScheduled")[0]
    assert source_at(recording, charge.line) == "return await workflow.execute_activity("
    assert ["booking", "Booking(customer='Ada', seats=2, card='4242')"] in charge.locals
    assert ["seats_left", "10"] in charge.fields
    signal = steps_of(recording, "WorkflowExecutionSignaled")[0]
    assert source_at(recording, signal.line) == "def close(self) -> None:"
    completed = steps_of(recording, "WorkflowExecutionCompleted")[0]
    assert source_at(recording, completed.line) == "return self.seats_left"
    assert ["seats_left", "8"] in completed.fields and ["closed", "True"] in completed.fields


async def test_a_child_workflow_and_a_signal_to_it(client: Client) -> None:
    async def start(client: Client, queue: str):
        return await client.start_workflow(
            ParentWorkflow.run, "Ada", id=f"parent-{uuid.uuid4().hex[:6]}", task_queue=queue
        )

    recording = await record_replay(
        await run(client, [ParentWorkflow, ChildWorkflow], [], start), ParentWorkflow
    )
    assert recording.divergence is None
    child = steps_of(recording, "StartChildWorkflowExecutionInitiated")[0]
    assert source_at(recording, child.line) == "child = await workflow.start_child_workflow("
    assert child.matched == "by id"  # the child's workflow id
    assert ["children_started", "0"] in child.fields
    signal = steps_of(recording, "SignalExternalWorkflowExecutionInitiated")[0]
    assert source_at(recording, signal.line) == 'await child.signal(ChildWorkflow.greet, "hello")'
    assert signal.matched == "by order"
    assert any("by order" in note for note in recording.notes)
    assert ["children_started", "1"] in signal.fields


async def ship_order_history(client: Client, workflow_class: type) -> WorkflowHistory:
    async def start(client: Client, queue: str):
        return await client.start_workflow(
            workflow_class.run, "order-1", id=f"ship-{uuid.uuid4().hex[:6]}", task_queue=queue
        )

    return await run(client, [workflow_class], [charge_payment, check_fraud, ship_parcel], start)


async def test_a_changed_class_stops_where_it_parts_from_the_history(client: Client) -> None:
    history = await ship_order_history(client, ShipOrderV1)
    recording = await record_replay(history, ShipOrderV2)
    divergence = recording.divergence
    assert divergence is not None
    assert divergence["event"] == 5 and divergence["event_name"] == "ActivityTaskScheduled"
    assert divergence["command"].startswith("schedule activity check_fraud at line ")
    assert source_at(recording, divergence["line"]).startswith(
        "checked = await workflow.execute_activity(check_fraud"
    )
    assert divergence["message"].startswith(
        "[TMPRL1100] Nondeterminism error: Activity type of scheduled event"
    )
    assert "'charge_payment'" in divergence["message"] and "'check_fraud'" in divergence["message"]
    last = recording.steps[-1]
    assert last.diverged and last.event == 5 and recording.divergence_step is last
    assert len(recording.steps) == 5  # replay went no further
    assert ["order_id", "'order-1'"] in last.locals


async def test_a_patched_class_replays_the_same_history_clean(client: Client) -> None:
    history = await ship_order_history(client, ShipOrderV1)
    recording = await record_replay(history, ShipOrderPatched)
    assert recording.failure == "" and recording.divergence is None
    assert len(recording.steps) == len(recording.events)
    first = steps_of(recording, "ActivityTaskScheduled")[0]
    assert first.command == "schedule activity charge_payment"
    assert source_at(recording, first.line).startswith(
        "charged = await workflow.execute_activity(charge_payment"
    )
    assert "patched('fraud-check') at line" in first.note and "returned False" in first.note


async def test_a_run_of_the_patched_class_lights_its_marker(client: Client) -> None:
    history = await ship_order_history(client, ShipOrderPatched)
    recording = await record_replay(history, ShipOrderPatched)
    assert recording.divergence is None
    marker = steps_of(recording, "MarkerRecorded")[0]
    assert marker.command == "record patch marker 'fraud-check'"
    assert source_at(recording, marker.line) == 'if workflow.patched("fraud-check"):'
    assert "returned True" in marker.note
    fraud = steps_of(recording, "ActivityTaskScheduled")[0]
    assert fraud.command == "schedule activity check_fraud" and fraud.event == marker.event + 2
    # Between them, the search attribute the SDK's core upserts for the patch: no command of the code.
    upsert = recording.step_for_event(marker.event + 1)
    assert "TemporalChangeVersion" in upsert.caption and not upsert.command


LEARNER_SOURCE = textwrap.dedent(
    """
    from datetime import timedelta

    from temporalio import workflow

    with workflow.unsafe.imports_passed_through():
        from temporal_notebooks.activities.determinism import charge_payment


    @workflow.defn(name="TheatreLearner")
    class LearnerWorkflow:
        def __init__(self) -> None:
            self.charged = ""

        @workflow.run
        async def run(self, order_id: str) -> str:
            self.charged = await workflow.execute_activity(
                charge_payment, order_id, start_to_close_timeout=timedelta(seconds=10)
            )
            return self.charged
    """
)


async def test_a_learner_workflow_from_a_module_file_cell(client: Client) -> None:
    module = write_module(f"theatre_learner_{uuid.uuid4().hex[:6]}", LEARNER_SOURCE)

    async def start(client: Client, queue: str):
        return await client.start_workflow(
            "TheatreLearner", "order-9", id=f"learner-{uuid.uuid4().hex[:6]}", task_queue=queue
        )

    history = await run(client, [module.LearnerWorkflow], [charge_payment], start)
    theatre = await replay_theatre(history, module.LearnerWorkflow)
    recording = theatre.record
    assert recording.file == f"{module.__name__}.py"
    charge = steps_of(recording, "ActivityTaskScheduled")[0]
    assert source_at(recording, charge.line) == "self.charged = await workflow.execute_activity("
    done = steps_of(recording, "WorkflowExecutionCompleted")[0]
    assert ["charged", "'charged order-9'"] in done.fields
    assert source_at(recording, done.line) == "return self.charged"


@workflow.defn(name="ShipOrder")
class InNotebook:
    @workflow.run
    async def run(self, order_id: str) -> list[str]:
        return []


async def test_a_class_the_sandbox_cannot_import_is_refused_in_one_line(client: Client) -> None:
    history = await ship_order_history(client, ShipOrderV1)
    InNotebook.__module__ = "__main__"  # what a class defined in a notebook cell has
    with pytest.raises(TheatreUnavailable) as refused:
        await record_replay(history, InNotebook)
    assert "%%module_file" in str(refused.value) and "\n" not in str(refused.value)
    with pytest.raises(TheatreUnavailable) as wrong_type:
        await record_replay(history, OrderWorkflow)
    assert "'ShipOrder'" in str(wrong_type.value) and "'OrderWorkflow'" in str(wrong_type.value)


async def test_the_widget_holds_one_json_value_and_a_picture_of_its_step(client: Client) -> None:
    history = await ship_order_history(client, ShipOrderV1)
    theatre = ReplayTheatre(await record_replay(history, ShipOrderV2))
    json.dumps(theatre.recording)  # one JSON value for the page
    assert theatre.step == len(theatre.recording["steps"]) - 1 and theatre.diverged_at == 5
    assert theatre.current["diverged"] and theatre.current["event"] == 5
    bundle = theatre._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    picture = data["text/html"]
    lit = picture.split('tn-theatre-line tn-theatre-lit"')[1].split("</div>")[0]
    assert "check_fraud" in lit
    assert "parts from the history at event 5" in data["text/plain"]
    theatre.go_to_event(1)
    assert theatre.current["event"] == 1


RAISING_SOURCE = LEARNER_SOURCE.replace(
    "        return self.charged\n", '        raise RuntimeError(f"no parcel for {order_id}")\n'
)
assert RAISING_SOURCE != LEARNER_SOURCE


async def test_code_that_raises_on_replay_shows_the_line_that_raised(client: Client) -> None:
    recorded = write_module(f"theatre_learner_{uuid.uuid4().hex[:6]}", LEARNER_SOURCE)

    async def start(client: Client, queue: str):
        return await client.start_workflow(
            "TheatreLearner", "order-9", id=f"learner-{uuid.uuid4().hex[:6]}", task_queue=queue
        )

    history = await run(client, [recorded.LearnerWorkflow], [charge_payment], start)
    changed = write_module(f"theatre_learner_{uuid.uuid4().hex[:6]}", RAISING_SOURCE)
    recording = await record_replay(history, changed.LearnerWorkflow)
    divergence = recording.divergence
    assert divergence is not None, recording.failure
    assert divergence["command"].startswith("nothing: the code raised")
    assert "no parcel for order-9" in divergence["command"]
    assert source_at(recording, divergence["line"]) == 'raise RuntimeError(f"no parcel for {order_id}")'
    assert divergence["event_name"] == "WorkflowExecutionCompleted"
    assert recording.steps[-1].diverged and recording.steps[-1].event == divergence["event"]
