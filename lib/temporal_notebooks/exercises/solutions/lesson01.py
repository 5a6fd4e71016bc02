%%module_file exercise01
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.greeting import GreetingInput, compose_greeting


@workflow.defn(name="Shout")
class ShoutWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            compose_greeting,
            GreetingInput("HELLO", name.upper()),
            start_to_close_timeout=timedelta(seconds=10),
        )
