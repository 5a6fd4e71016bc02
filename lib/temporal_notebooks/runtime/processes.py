"""A script run as a process of its own, for a lesson that needs a process it can kill.

The kernel starts it, waits for the line that says it is ready, and ends it with SIGKILL, as a crash
would. It never outlives the kernel: the child asks Linux to kill it when its parent dies
(``die_with_parent``), and ``ScriptProcess`` kills and reaps it when its ``async with`` block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

READY_TIMEOUT_S = 60.0  # a fresh Python importing temporalio, on a loaded 2-core machine
PARENT_ENV = "TEMPORAL_NOTEBOOKS_PARENT_PID"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ScriptProcess:
    """``python -m <module> <args>`` in a process of its own; ready once it prints a line holding
    ``ready``. Use it as ``async with``: the process is killed and reaped when the block ends."""

    def __init__(self, module: str, *args: str, ready: str) -> None:
        self.command = [sys.executable, "-u", "-m", module, *args]
        self.ready = ready
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []  # what it printed up to its ready line
        self.killed_at: float | None = None  # time.time() of the SIGKILL

    @property
    def pid(self) -> int:
        assert self.process is not None, "the process has not started"
        return self.process.pid

    async def __aenter__(self) -> ScriptProcess:
        # Popen from this (the kernel's main) thread: the child's parent-death signal follows it.
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, PARENT_ENV: str(os.getpid())},
        )
        try:
            await asyncio.wait_for(asyncio.to_thread(self._read_until_ready), READY_TIMEOUT_S)
        except BaseException:
            self.kill()
            raise
        return self

    def _read_until_ready(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))
            if self.ready in line:
                return
        self.process.wait()
        printed = "\n".join(self.output[-15:])
        command = " ".join(["python", *self.command[2:]])
        raise RuntimeError(f"{command} exited ({self.process.returncode}) before it was ready:\n{printed}")

    def kill(self) -> None:
        """SIGKILL, as a crash: no shutdown, nothing reported to anyone. Then reap it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.killed_at = time.time()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    async def __aexit__(self, *exc: object) -> None:
        self.kill()


def die_with_parent() -> None:
    """Called first thing in a script that ``ScriptProcess`` started: on Linux the kernel kills this
    process when the notebook's kernel dies, so no orphan polls a task queue (elsewhere: a no-op)."""
    parent = os.environ.get(PARENT_ENV)
    if parent is None or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != int(parent):  # the parent died before prctl: go now
        os._exit(1)
