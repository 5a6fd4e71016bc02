"""The package's commands (``temporal-notebooks smoke``, ``server status``, ``class-server ...``) run
from a notebook, where the kernel already has the right Python and the class's settings.

A JupyterLab terminal on a hub runs a login shell whose PATH lacks the notebooks' environment
(``python: command not found``); a kernel does not have that problem. So a cell runs the same
command as a child of the kernel, ``%temporal_notebooks smoke``, and :func:`terminal_command`
prints the line that works in any terminal (full path to the environment's script).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Sequence
from pathlib import Path

from .runtime.shell import ipython_shell

SCRIPT = "temporal-notebooks"
MAGIC = "temporal_notebooks"


def command_argv(args: Sequence[str]) -> list[str]:
    """The command as the kernel runs it: this Python, so this environment and its settings."""
    return [sys.executable, "-m", "temporal_notebooks", *args]


def terminal_command(*args: str) -> str:
    """The line to type in a terminal whose PATH may lack the environment: the console script by its
    full path when installed, else this Python by its full path."""
    script = Path(sysconfig.get_path("scripts")) / SCRIPT
    words = [str(script)] if script.exists() else [sys.executable, "-m", "temporal_notebooks"]
    return shlex.join([*words, *args])


async def run_command(
    args: Sequence[str], on_line: Callable[[str], None] = print, timeout_s: float = 300.0
) -> int:
    """Run ``temporal-notebooks <args>`` without blocking the kernel's loop; each output line goes to
    ``on_line`` as it comes. Returns the exit code (124 when it was stopped after ``timeout_s``)."""
    process = await asyncio.create_subprocess_exec(
        *command_argv(args),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None

    async def relay() -> None:
        async for raw in process.stdout:
            on_line(raw.decode(errors="replace").rstrip("\n"))

    try:
        await asyncio.wait_for(relay(), timeout_s)
        return await process.wait()
    except TimeoutError:
        on_line(f"(stopped: still running after {timeout_s:.0f} s)")
        return 124
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def run_command_blocking(args: Sequence[str], on_line: Callable[[str], None] = print) -> int:
    """The same, for a line magic (which cannot await): lines are printed as they come."""
    with subprocess.Popen(
        command_argv(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            on_line(line.rstrip("\n"))
        return process.wait()


def temporal_notebooks_magic(line: str) -> None:
    """``%temporal_notebooks smoke`` (or ``server status``, ``class-server status``, ``--help``): the
    terminal command, run by the kernel's own Python with the kernel's settings."""
    code = run_command_blocking(shlex.split(line) or ["--help"])
    if code:
        print(f"(exit code {code})")


def register_command_magic() -> bool:
    """Register ``%temporal_notebooks`` in the running IPython; False outside IPython."""
    shell = ipython_shell()
    if shell is None:
        return False
    shell.register_magic_function(temporal_notebooks_magic, "line", MAGIC)
    return True
