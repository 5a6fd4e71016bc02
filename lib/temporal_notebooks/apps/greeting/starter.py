"""Starter process: starts one greeting workflow, waits for its result, prints it."""

from __future__ import annotations

import asyncio
import sys

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from temporal_notebooks.apps.greeting import task_queue
from temporal_notebooks.runtime.connection import client_connect_args
from temporal_notebooks.runtime.exits import run_command
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.workflows.greeting import GreetingWorkflow


async def greet(name: str) -> str:
    client = await Client.connect(**client_connect_args())
    return await client.execute_workflow(
        GreetingWorkflow.run,
        name,
        id=scoped(f"greeting-app-{name.lower()}"),
        task_queue=task_queue(),
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
    )


def main(name: str | None = None) -> None:
    name = name or (sys.argv[1] if len(sys.argv) > 1 else "World")
    print(f"Result: {asyncio.run(greet(name))}")


if __name__ == "__main__":
    run_command(main)  # exits with main's status, never with the SDK's abort at interpreter exit
