"""The terminal commands where the instructor and the learner are: a notebook cell runs them with the
kernel's own Python and settings (a hub's terminal runs a login shell whose PATH lacks the
environment), and the line printed for a terminal works in such a shell."""

from __future__ import annotations

import os
import subprocess
import sys

from kernel import Kernel

from temporal_notebooks.commands import terminal_command

LOGIN_SHELL_PATH = "/usr/local/bin:/usr/bin:/bin"  # what /etc/profile gives: no venv on it


async def test_magic_runs_the_commands_with_the_kernels_settings(dev_server, tmp_path) -> None:
    # A kernel whose PATH, like a login shell's, lacks the environment's bin directory.
    async with Kernel(env={"PATH": LOGIN_SHELL_PATH}) as kernel:
        await kernel.ok("from temporal_notebooks.notebook import *")
        status = await kernel.ok("%temporal_notebooks server status")
        assert status.startswith(f"Local dev server running: pid {dev_server.pid}, {dev_server.address}")
        smoke = await kernel.ok("%temporal_notebooks smoke 01", timeout=180)
        lines = smoke.splitlines()
        assert lines[0].startswith("Temporal Notebooks smoke test as learner 'smoke-test'")
        assert f"local dev server at {dev_server.address}" in lines[0]
        assert "  ok    01 Workflow basics" in smoke and lines[-1].startswith("Smoke test passed:")
        # A failing command says so in the cell, and the kernel's learner id is untouched.
        failed = await kernel.ok(f"%temporal_notebooks class-server status --state-dir {tmp_path}")
        assert failed.splitlines() == [f"No class server runs (state in {tmp_path}).", "(exit code 1)"]
        assert (await kernel.ok("print(learner_id())")).strip() == os.environ["TEMPORAL_NOTEBOOKS_LEARNER"]


async def test_smoke_button_in_the_kernel(dev_server) -> None:
    """The instructor notebook's button: a click runs the smoke test as a child of the kernel."""
    async with Kernel() as kernel:
        await kernel.ok("from temporal_notebooks.classroom import SmokeTest\nsmoke = SmokeTest(['01'])")
        await kernel.ok("smoke.button.click()")
        text = await kernel.ok(
            "import asyncio\n"
            "for _ in range(600):\n"
            "    await asyncio.sleep(0.2)\n"
            "    if smoke.report and smoke.report.returncode is not None:\n"
            "        break\n"
            "print(smoke.report.returncode, smoke.button.disabled)\n"
            "print(smoke.output.value)",
            timeout=180,
        )
        assert text.startswith("0 False")
        assert "Smoke test passed:" in text and "01 Workflow basics" in text


def test_the_terminal_line_works_in_a_login_shell(dev_server) -> None:
    line = terminal_command("server", "status")
    assert line.split()[0].startswith(os.path.dirname(sys.executable))  # by full path
    done = subprocess.run(
        ["bash", "-c", line],
        env={**os.environ, "PATH": LOGIN_SHELL_PATH},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"Local dev server running: pid {dev_server.pid}")
