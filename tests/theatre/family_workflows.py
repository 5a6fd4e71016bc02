"""Workflows for the replay theatre's tests: a parent that starts a child and signals it, a timer with
``wait_condition``. Workflow classes only: the sandbox re-imports this module for every run."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow


@workflow.defn
class ChildWorkflow:
    def __init__(self) -> None:
        self.greeting = ""

    @workflow.run
    async def run(self, name: str) -> str:
        await workflow.wait_condition(lambda: bool(self.greeting), timeout=timedelta(seconds=30))
        return f"{self.greeting}, {name}"

    @workflow.signal
    def greet(self, greeting: str) -> None:
        self.greeting = greeting


@workflow.defn
class ParentWorkflow:
    def __init__(self) -> None:
        self.children_started = 0

    @workflow.run
    async def run(self, name: str) -> str:
        child = await workflow.start_child_workflow(
            ChildWorkflow.run, name, id=f"{workflow.info().workflow_id}-child"
        )
        self.children_started += 1
        await workflow.sleep(timedelta(milliseconds=50))
        await child.signal(ChildWorkflow.greet, "hello")
        return await child
