"""Lesson 01 workflows. Workflow classes only: the sandbox re-imports this module for every run."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

# Activities and their data types run outside the sandbox: import them passed through, so the
# sandbox neither re-imports them for every run nor checks them for determinism.
with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.greeting import GreetingInput, compose_greeting


@workflow.defn
class GreetingWorkflow:
    """Type name defaults to the class name: "GreetingWorkflow"."""

    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            compose_greeting,
            GreetingInput("Hello", name),
            start_to_close_timeout=timedelta(seconds=10),
        )


@workflow.defn(name="FormalGreeting")
class FormalGreetingWorkflow:
    """A custom type name: clients start it as "FormalGreeting", whatever the class is called."""

    @workflow.run
    async def run(self, params: GreetingInput) -> str:
        return await workflow.execute_activity(
            compose_greeting, params, start_to_close_timeout=timedelta(seconds=10)
        )
