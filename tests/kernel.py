"""A real IPython kernel driven from a test, cell by cell, the way JupyterLab drives one."""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
_SOCKETS = tempfile.mkdtemp(prefix="tn-kernels-")
atexit.register(shutil.rmtree, _SOCKETS, ignore_errors=True)  # a killed kernel leaves its socket files


def kernel_manager() -> AsyncKernelManager:
    """A manager for a python3 kernel that talks over Unix sockets of its own. Over TCP, jupyter_client
    picks five free ports and the kernel binds them a moment later: kernels started at once by parallel
    test processes (pytest-xdist) can pick the same port, and the loser dies before its first reply
    ("Address already in use"). Socket files named per kernel cannot collide."""
    sockets = os.path.join(_SOCKETS, uuid.uuid4().hex[:12])
    return AsyncKernelManager(kernel_name="python3", transport="ipc", ip=sockets)


@dataclasses.dataclass
class CellResult:
    status: str
    text: str  # streams and text/plain results, as a learner reads them
    error: str | None  # "Name: value" of an error output

    def __str__(self) -> str:
        return self.text + (f"\n[error] {self.error}" if self.error else "")


class Kernel:
    """``async with Kernel() as k: await k.run("1 + 1")``."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = env
        self.manager = kernel_manager()
        self.client = None

    async def __aenter__(self) -> Kernel:
        env = dict(os.environ)
        env.update(self.env or {})
        await self.manager.start_kernel(cwd=str(NOTEBOOKS), env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    @property
    def pid(self) -> int:
        return self.manager.provisioner.process.pid

    async def run(self, code: str, timeout: float = 60) -> CellResult:
        msg_id = self.client.execute(code)
        texts: list[str] = []
        error = None
        while True:
            msg = await self.client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                texts.append(str(content["data"].get("text/plain", "")))
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
                texts.extend(content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
        # This cell's own reply: the shell channel can still hold an earlier one (wait_for_ready may
        # send more than one kernel_info request), and taking that would shift every status by one.
        reply = await self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = await self.client.get_shell_msg(timeout=timeout)
        return CellResult(reply["content"]["status"], "".join(texts), error)

    async def ok(self, code: str, timeout: float = 60) -> str:
        """Run a cell that must succeed; its text output."""
        result = await self.run(code, timeout)
        assert result.status == "ok", f"cell failed:\n{code}\n---\n{result}"
        return result.text

    async def shutdown(self, now: bool = False) -> None:
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if await self.manager.is_alive():
            await self.manager.shutdown_kernel(now=now)
        elif self.manager.connection_file:
            # a kernel that died or was killed: shutdown_kernel is skipped, and with it the removal of
            # its connection file (/tmp/tmp*.json): hundreds were left after a few full runs
            await self.manager.cleanup_resources()
