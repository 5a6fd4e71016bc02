"""Issue 19 §2: every command of the collection ends with its own exit status, never with the SDK's
abort at interpreter exit (``Fatal Python error: PyGILState_Release``, sdk-python#300)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

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
