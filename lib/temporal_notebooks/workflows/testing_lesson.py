"""Lesson 12 workflows: a free trial that charges the customer when it ends unless they cancel, a
"refactored" copy with a bug for the exercise, and a changed copy whose history no longer replays.
Workflow classes only: the sandbox re-imports this module for every run."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.testing_lesson import Email, charge_customer, send_email

STEP_TIMEOUT = timedelta(seconds=10)


@dataclasses.dataclass
class Trial:
    customer: str
    days: float = 30


@workflow.defn(name="Trial")
class TrialWorkflow:
    """Welcome email; then the trial's days pass (a durable timer) unless ``cancel`` arrives first."""

    def __init__(self) -> None:
        self.cancelled = False

    @workflow.run
    async def run(self, trial: Trial) -> str:
        await workflow.execute_activity(
            send_email, Email(trial.customer, "welcome"), start_to_close_timeout=STEP_TIMEOUT
        )
        try:
            await workflow.wait_condition(lambda: self.cancelled, timeout=timedelta(days=trial.days))
        except TimeoutError:
            await workflow.execute_activity(
                charge_customer, trial.customer, start_to_close_timeout=STEP_TIMEOUT
            )
            return f"{trial.customer}: charged after the {trial.days:g}-day trial"
        return f"{trial.customer}: cancelled during the trial, not charged"

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True


@workflow.defn(name="Trial")
class RefactoredTrialWorkflow:
    """The exercise's code under test: it reads well and returns the right text, but it charges
    a customer who cancelled."""

    def __init__(self) -> None:
        self.cancelled = False

    @workflow.run
    async def run(self, trial: Trial) -> str:
        await workflow.execute_activity(
            send_email, Email(trial.customer, "welcome"), start_to_close_timeout=STEP_TIMEOUT
        )
        try:
            await workflow.wait_condition(lambda: self.cancelled, timeout=timedelta(days=trial.days))
        except TimeoutError:
            pass
        outcome = "cancelled during the trial, not charged" if self.cancelled else None
        await workflow.execute_activity(charge_customer, trial.customer, start_to_close_timeout=STEP_TIMEOUT)
        return f"{trial.customer}: {outcome or f'charged after the {trial.days:g}-day trial'}"

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True


@workflow.defn(name="Trial")
class RemindingTrialWorkflow:
    """A later version that also sends a reminder before the trial's timer: fine for new runs, but
    a run recorded by :class:`TrialWorkflow` no longer replays on it (a non-deterministic change)."""

    def __init__(self) -> None:
        self.cancelled = False

    @workflow.run
    async def run(self, trial: Trial) -> str:
        await workflow.execute_activity(
            send_email, Email(trial.customer, "welcome"), start_to_close_timeout=STEP_TIMEOUT
        )
        await workflow.execute_activity(
            send_email, Email(trial.customer, "how to cancel"), start_to_close_timeout=STEP_TIMEOUT
        )
        try:
            await workflow.wait_condition(lambda: self.cancelled, timeout=timedelta(days=trial.days))
        except TimeoutError:
            await workflow.execute_activity(
                charge_customer, trial.customer, start_to_close_timeout=STEP_TIMEOUT
            )
            return f"{trial.customer}: charged after the {trial.days:g}-day trial"
        return f"{trial.customer}: cancelled during the trial, not charged"

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True
