%%module_file exercise12
import uuid

from temporalio import activity
from temporalio.worker import Worker

from temporal_notebooks.workflows.testing_lesson import Trial


async def test_a_cancelled_trial_is_not_charged(env, trial_workflow):
    charged = []

    @activity.defn(name="send_email")
    async def send_email(email) -> str:
        return "sent"

    @activity.defn(name="charge_customer")
    async def charge_customer(customer: str) -> str:
        charged.append(customer)
        return f"charged {customer}"

    async with Worker(
        env.client,
        task_queue="trial-test",
        workflows=[trial_workflow],
        activities=[send_email, charge_customer],
    ):
        handle = await env.client.start_workflow(
            trial_workflow.run, Trial("ada"), id=f"trial-{uuid.uuid4()}", task_queue="trial-test"
        )
        await handle.signal(trial_workflow.cancel)
        assert await handle.result() == "ada: cancelled during the trial, not charged"
    assert charged == [], f"a customer who cancelled was charged: {charged}"
