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


class _TrialSteps:
    """What the rewritten copies share: the cancel signal and the trial's steps."""

    def __init__(self) -> None:
        self.cancelled = False

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True

    async def welcome_then_wait(self, trial: Trial) -> bool:
        """Sends the welcome email, then waits out the trial; True when it was cancelled in time."""
        await workflow.execute_activity(
            send_email, Email(trial.customer, "welcome"), start_to_close_timeout=STEP_TIMEOUT
        )
        try:
            await workflow.wait_condition(lambda: self.cancelled, timeout=timedelta(days=trial.days))
        except TimeoutError:
            return False
        return True

    async def charge(self, trial: Trial) -> None:
        await workflow.execute_activity(charge_customer, trial.customer, start_to_close_timeout=STEP_TIMEOUT)


@workflow.defn(name="Trial")
class FreeTrialWorkflow(_TrialSteps):
    """Correct, written another way: it waits for the trial's end or the cancel, then decides."""

    @workflow.run
    async def run(self, trial: Trial) -> str:
        if await self.welcome_then_wait(trial):
            return f"{trial.customer}: cancelled during the trial, not charged"
        await self.charge(trial)
        return f"{trial.customer}: charged after the {trial.days:g}-day trial"


@workflow.defn(name="Trial")
class CancellationFeeTrialWorkflow(_TrialSteps):
    """Buggy, another way: a customer who cancels is charged anyway (as a 'fee'), with the right text."""

    @workflow.run
    async def run(self, trial: Trial) -> str:
        cancelled = await self.welcome_then_wait(trial)
        await self.charge(trial)
        if cancelled:
            return f"{trial.customer}: cancelled during the trial, not charged"
        return f"{trial.customer}: charged after the {trial.days:g}-day trial"


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
