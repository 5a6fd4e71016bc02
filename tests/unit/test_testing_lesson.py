"""Lesson 12's code: the trial workflow (charged after 30 days, not when cancelled), the refactored
copy whose bug the exercise catches, the changed copy that no longer replays, the export activity."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio import activity
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from temporal_notebooks.activities.testing_lesson import TRIAL_ACTIVITIES, Email, export_invoices
from temporal_notebooks.workflows.testing_lesson import (
    RefactoredTrialWorkflow,
    RemindingTrialWorkflow,
    Trial,
    TrialWorkflow,
)


async def run_trial(
    env: WorkflowEnvironment, workflow_class: type, *, cancel: bool
) -> tuple[str, list[str], object]:
    """Run a trial with stand-ins that record the calls; (result, calls, handle)."""
    calls: list[str] = []

    @activity.defn(name="send_email")
    async def send_email(email: Email) -> str:
        calls.append(f"email {email.subject}")
        return "sent"

    @activity.defn(name="charge_customer")
    async def charge_customer(customer: str) -> str:
        calls.append(f"charge {customer}")
        return "charged"

    queue = f"trial-{uuid.uuid4()}"
    async with Worker(
        env.client, task_queue=queue, workflows=[workflow_class], activities=[send_email, charge_customer]
    ):
        handle = await env.client.start_workflow(
            workflow_class.run, Trial("ada"), id=str(uuid.uuid4()), task_queue=queue
        )
        if cancel:
            await handle.signal(workflow_class.cancel)
        result = await handle.result()
    return result, calls, handle


async def test_a_trial_charges_after_30_days_by_the_test_server_clock(env: WorkflowEnvironment) -> None:
    queue = f"trial-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[TrialWorkflow], activities=TRIAL_ACTIVITIES):
        handle = await env.client.start_workflow(
            TrialWorkflow.run, Trial("ada"), id=str(uuid.uuid4()), task_queue=queue
        )
        assert await handle.result() == "ada: charged after the 30-day trial"
    events = (await handle.fetch_history()).events
    assert (events[-1].event_time.ToDatetime() - events[0].event_time.ToDatetime()).days == 30


async def test_a_cancelled_trial_is_not_charged(env: WorkflowEnvironment) -> None:
    result, calls, _ = await run_trial(env, TrialWorkflow, cancel=True)
    assert result == "ada: cancelled during the trial, not charged"
    assert calls == ["email welcome"]


async def test_the_refactored_trial_has_the_bug_the_exercise_is_about(env: WorkflowEnvironment) -> None:
    """Same results as the correct workflow in both cases, but it charges a customer who cancelled."""
    result, calls, _ = await run_trial(env, RefactoredTrialWorkflow, cancel=True)
    assert result == "ada: cancelled during the trial, not charged"
    assert calls == ["email welcome", "charge ada"]
    result, calls, _ = await run_trial(env, RefactoredTrialWorkflow, cancel=False)
    assert (result, calls) == ("ada: charged after the 30-day trial", ["email welcome", "charge ada"])


async def test_a_trial_history_replays_on_its_code_and_fails_on_the_reminding_version(
    env: WorkflowEnvironment,
) -> None:
    _, _, handle = await run_trial(env, TrialWorkflow, cancel=True)
    history = await handle.fetch_history()
    await Replayer(workflows=[TrialWorkflow]).replay_workflow(history)
    with pytest.raises(NondeterminismError):
        await Replayer(workflows=[RemindingTrialWorkflow]).replay_workflow(history)


async def test_the_export_heartbeats_each_invoice_and_stops_when_cancelled() -> None:
    environment, beats = ActivityEnvironment(), []
    environment.on_heartbeat = lambda *details: beats.append(details[0])
    assert await environment.run(export_invoices, 4) == 4
    assert beats == [1, 2, 3, 4]

    environment, beats = ActivityEnvironment(), []

    def cancel_at_two(*details: int) -> None:
        beats.append(details[0])
        if details[0] == 2:
            environment.cancel()

    environment.on_heartbeat = cancel_at_two
    with pytest.raises(asyncio.CancelledError):
        await environment.run(export_invoices, 100)
    assert beats == [1, 2]
