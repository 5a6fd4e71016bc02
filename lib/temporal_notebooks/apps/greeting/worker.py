"""Worker process: polls the app's task queue and runs its workflows and activities until stopped."""

from __future__ import annotations

import asyncio
import concurrent.futures

from temporalio.client import Client
from temporalio.worker import Worker

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.apps.greeting import task_queue
from temporal_notebooks.runtime.connection import client_connect_args
from temporal_notebooks.runtime.exits import run_command
from temporal_notebooks.workflows.greeting import FormalGreetingWorkflow, GreetingWorkflow


async def run_worker(stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or forever, until Ctrl-C, when run as a script)."""
    client = await Client.connect(**client_connect_args())
    # compose_greeting is a sync activity: it runs in this thread pool, never on the event loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as activity_executor:
        worker = Worker(
            client,
            task_queue=task_queue(),
            workflows=[GreetingWorkflow, FormalGreetingWorkflow],
            activities=[compose_greeting],
            activity_executor=activity_executor,
        )
        async with worker:  # polls until the block ends, then shuts down gracefully
            print(f"Worker polling task queue {task_queue()!r}", flush=True)
            await (stop or asyncio.Event()).wait()


def main() -> None:
    asyncio.run(run_worker())


if __name__ == "__main__":
    run_command(main)  # exits with main's status, never with the SDK's abort at interpreter exit
