"""Copies of lesson 12's trial workflows under other class names, for the exercise's check: a
learner's test must pass on every correct one and fail on every buggy one, so it judges what the
workflow does, not which class it is. Workflow classes only: the sandbox re-imports this module."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.testing_lesson import Email, charge_customer, send_email
    from temporal_notebooks.workflows.testing_lesson import RefactoredTrialWorkflow, Trial, TrialWorkflow

STEP_TIMEOUT = timedelta(seconds=10)


@workflow.defn(name="Trial")
class FreeTrialWorkflow:
    """Correct, written another way: it waits for the trial's end or the cancel, then decides."""

    def __init__(self) -> None:
        self.cancelled = False

    @workflow.run
    async def run(self, trial: Trial) -> str:
        await workflow.execute_activity(
            send_email, Email(trial.customer, "welcome"), start_to_close_timeout=STEP_TIMEOUT
        )
        ended = not await _cancelled_in_time(lambda: self.cancelled, trial.days)
        if ended:
            await workflow.execute_activity(
                charge_customer, trial.customer, start_to_close_timeout=STEP_TIMEOUT
            )
            return f"{trial.customer}: charged after the {trial.days:g}-day trial"
        return f"{trial.customer}: cancelled during the trial, not charged"

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True


@workflow.defn(name="Trial")
class CancellationFeeTrialWorkflow:
    """Buggy, another way: a customer who cancels is charged anyway (as a 'fee'), with the right text."""

    def __init__(self) -> None:
        self.cancelled = False

    @workflow.run
    async def run(self, trial: Trial) -> str:
        await workflow.execute_activity(
            send_email, Email(trial.customer, "welcome"), start_to_close_timeout=STEP_TIMEOUT
        )
        cancelled = await _cancelled_in_time(lambda: self.cancelled, trial.days)
        await workflow.execute_activity(charge_customer, trial.customer, start_to_close_timeout=STEP_TIMEOUT)
        if cancelled:
            return f"{trial.customer}: cancelled during the trial, not charged"
        return f"{trial.customer}: charged after the {trial.days:g}-day trial"

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True


async def _cancelled_in_time(cancelled, days: float) -> bool:
    """True when ``cancelled()`` turns true before the trial's days are over."""
    try:
        await workflow.wait_condition(cancelled, timeout=timedelta(days=days))
    except TimeoutError:
        return False
    return True


@workflow.defn(name="Trial")
class SubscriptionTrialWorkflow(TrialWorkflow):
    """Correct: TrialWorkflow's own code under another class name."""

    @workflow.run
    async def run(self, trial: Trial) -> str:
        return await super().run(trial)


@workflow.defn(name="Trial")
class TidyTrialWorkflow(RefactoredTrialWorkflow):
    """Buggy: RefactoredTrialWorkflow's own code under another class name."""

    @workflow.run
    async def run(self, trial: Trial) -> str:
        return await super().run(trial)


CORRECT_COPIES = [SubscriptionTrialWorkflow, FreeTrialWorkflow]
BUGGY_COPIES = [TidyTrialWorkflow, CancellationFeeTrialWorkflow]
