"""Worker process for lesson 01b's orders: ``python -m temporal_notebooks.apps.durable.worker <task queue>``.

It polls until it is killed. The lesson kills it with SIGKILL in the middle of a step, as a crash
would: it reports nothing to the server.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys

from temporalio.client import Client
from temporalio.worker import Worker

from temporal_notebooks.activities.durable import STEPS
from temporal_notebooks.runtime.connection import client_connect_args
from temporal_notebooks.runtime.exits import run_command
from temporal_notebooks.runtime.processes import die_with_parent
from temporal_notebooks.workflows.durable import OrderWorkflow

READY = "polling task queue"


async def run_worker(task_queue: str) -> None:
    client = await Client.connect(**client_connect_args())
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[OrderWorkflow],
        activities=STEPS,
        identity=f"{os.getpid()}@{socket.gethostname()} (worker process)",
        # No workflow cache: after the crash, the run's next workflow task goes to any worker at once
        # (a cached run's tasks would wait for this dead process first, up to its sticky timeout).
        max_cached_workflows=0,
    )
    async with worker:
        print(f"pid {os.getpid()} {READY} {task_queue!r}", flush=True)
        await asyncio.Event().wait()  # until killed


def main() -> None:
    die_with_parent()
    asyncio.run(run_worker(sys.argv[1]))


if __name__ == "__main__":
    run_command(main)
