%%module_file exercise05
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.determinism import (
        add_to_newsletter,
        create_account,
        send_welcome_email,
    )

TIMEOUT = timedelta(seconds=10)


@workflow.defn(name="Signup")
class SignupWorkflow:
    @workflow.run
    async def run(self, email: str) -> list[str]:
        steps = [await workflow.execute_activity(create_account, email, start_to_close_timeout=TIMEOUT)]
        # New runs record a "newsletter" marker and take the new step. A run that started before this
        # change has no marker in its history, so on replay patched() is False and it skips the step.
        if workflow.patched("newsletter"):
            subscribed = await workflow.execute_activity(
                add_to_newsletter, email, start_to_close_timeout=TIMEOUT
            )
            steps.append(subscribed)
        steps.append(
            await workflow.execute_activity(send_welcome_email, email, start_to_close_timeout=TIMEOUT)
        )
        return steps
