"""Lesson 01 workflows on the time-skipping test server."""

from __future__ import annotations

import concurrent.futures
import uuid

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_notebooks.activities.greeting import GreetingInput, compose_greeting
from temporal_notebooks.workflows.greeting import FormalGreetingWorkflow, GreetingWorkflow


async def test_greeting_workflow_calls_the_activity(env: WorkflowEnvironment) -> None:
    queue = f"greeting-{uuid.uuid4()}"
    with concurrent.futures.ThreadPoolExecutor() as pool:
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=[GreetingWorkflow, FormalGreetingWorkflow],
            activities=[compose_greeting],
            activity_executor=pool,
        ):
            result = await env.client.execute_workflow(
                GreetingWorkflow.run, "Ada", id=str(uuid.uuid4()), task_queue=queue
            )
            formal = await env.client.execute_workflow(
                "FormalGreeting",
                GreetingInput("Good evening", "Grace"),
                id=str(uuid.uuid4()),
                task_queue=queue,
            )
    assert result == "Hello, Ada!"
    assert formal == "Good evening, Grace!"


def test_compose_greeting_is_a_plain_function() -> None:
    """Activities are ordinary functions: callable (and testable) without Temporal."""
    assert compose_greeting(GreetingInput("Hi", "Bo")) == "Hi, Bo!"
