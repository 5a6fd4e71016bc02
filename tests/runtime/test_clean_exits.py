"""Issue 19 §2: every command of the collection ends with its own exit status, never with the SDK's
abort at interpreter exit (``Fatal Python error: PyGILState_Release``, sdk-python#300)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from kernel import Kernel

from temporal_notebooks.apps.greeting.worker import run_worker
from temporal_notebooks.runtime import devserver

RUNS = 200
AT_ONCE = 8  # concurrent runs: the abort is a race at exit, and load makes it likelier


async def _starter(index: int) -> tuple[int, str, str]:
    """The greeting app's starter, as lesson 01 §9 runs it from a terminal: it opens a client, starts
    a workflow, prints its result and exits."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "temporal_notebooks.apps.greeting.starter",
        f"Run{index}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.timeout(1200)  # 200 processes of about 0.7 s of CPU each: minutes on a shared machine
async def test_a_client_command_run_200_times_exits_cleanly_every_time(
    dev_server: devserver.DevServer,
) -> None:
    stop = asyncio.Event()
    worker = asyncio.ensure_future(run_worker(stop))
    slots = asyncio.Semaphore(AT_ONCE)

    async def one(index: int) -> tuple[int, str, str]:
        async with slots:
            return await _starter(index)

    try:
        results = await asyncio.gather(*(one(i) for i in range(RUNS)))
    finally:
        stop.set()
        await worker
    unclean = [(i, code, err[-400:]) for i, (code, _, err) in enumerate(results) if code != 0 or err]
    assert not unclean, f"{len(unclean)} of {RUNS} runs did not exit cleanly, e.g. {unclean[:3]}"
    for index, (_, out, _) in enumerate(results):
        assert out == f"Result: Hello, Run{index}!\n", out


def test_a_command_exits_with_its_own_status(dev_server: devserver.DevServer) -> None:
    """Failure statuses survive the clean exit, and so does what the command printed before it."""
    command = [sys.executable, "-m", "temporal_notebooks", "server", "status"]
    ok = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "Local dev server running" in ok.stdout, ok
    usage = subprocess.run([*command[:3], "no-such-command"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr, usage
    script = (
        "from temporal_notebooks.runtime.exits import run_command\n"
        "def main():\n    print('partial output', end='')\n    raise ValueError('boom')\n"
        "run_command(main)\n"
    )
    failed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and failed.stdout == "partial output", failed
    assert failed.stderr.rstrip().endswith("ValueError: boom"), failed.stderr


KERNELS = 6
WORKER_CELLS = (
    "from temporal_notebooks.notebook import *\nclient = await connect(quiet=True)",
    "from temporal_notebooks.workflows.greeting import GreetingWorkflow\n"
    "from temporal_notebooks.activities.greeting import compose_greeting\n"
    "worker = await start_worker(client, scoped('clean-exit'), workflows=[GreetingWorkflow],\n"
    "    activities=[compose_greeting])\n"
    "print(await client.execute_workflow(GreetingWorkflow.run, 'Kernel',\n"
    "    id=scoped(f'clean-exit-{os.getpid()}'), task_queue=scoped('clean-exit')))",
)


@pytest.mark.timeout(600)
async def test_a_kernel_shut_down_while_its_worker_runs_exits_with_status_0(
    dev_server: devserver.DevServer,
) -> None:
    """The same SDK threads live in a kernel with a worker: its process must end by itself, with
    status 0, neither aborted (SIGABRT) nor killed by Jupyter for not ending (SIGTERM, SIGKILL)."""
    slots = asyncio.Semaphore(2)

    async def one() -> int:
        async with slots, Kernel() as kernel:
            await kernel.ok("import os")
            for cell in WORKER_CELLS:
                await kernel.ok(cell, timeout=120)
            assert "worker running" in await kernel.ok("print(worker.status_html())")
            process = kernel.manager.provisioner.process
            kernel.manager.shutdown_wait_time = 60  # Jupyter signals a kernel only after this
            await kernel.shutdown()
            return process.wait(10)

    codes = await asyncio.gather(*(one() for _ in range(KERNELS)))
    assert codes == [0] * KERNELS, f"kernel exit statuses: {codes}"
