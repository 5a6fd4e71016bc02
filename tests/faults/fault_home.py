"""What the fault suite's tests share: a home of their own (state dir and preferred ports), the
processes started in it, and a bounded wait. (A module of its own: ``conftest`` is not importable by
name when several test folders have one.)"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from temporal_notebooks.runtime import devserver


def free_port() -> int:
    """A free port below the ephemeral range (32768+ on Linux). A port the kernel hands out for
    ``bind(0)`` can be handed out again to another test process once this home's server dies,
    and the tests that hold a dead server's port must find it free."""
    for _ in range(200):
        port = random.randrange(20000, min(_ephemeral_low(), 32768))
        if devserver._port_free(port):  # the check the dev server's own port choice makes
            return port
    raise AssertionError("no free port between 20000 and the ephemeral range")


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


@dataclasses.dataclass
class FaultHome:
    """A state directory with its own preferred ports, and the processes a test started in it."""

    path: Path
    port: int
    ui_port: int
    started: list[subprocess.Popen] = dataclasses.field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            devserver.HOME_ENV: str(self.path),
            devserver.PORT_ENV: str(self.port),
            devserver.UI_PORT_ENV: str(self.ui_port),
        }

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """``python -m temporal_notebooks ...`` in this home, as a learner types it in a terminal."""
        return subprocess.run(
            [sys.executable, "-m", "temporal_notebooks", *args],
            capture_output=True,
            text=True,
            timeout=90,
            env={**self.env, **(env or {})},
        )

    def spawn(self, *command: str) -> subprocess.Popen:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started.append(process)
        return process

    def record(self) -> devserver.DevServer | None:
        return devserver.read_record()

    def server_pids(self) -> list[int]:
        """Every live ``start-dev`` process using this home's database (there must be at most one)."""
        db = str(self.path / "temporal.db")
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and devserver._is_server_process(devserver._cmdline(int(entry.name)), db):
                stat = devserver._proc_stat(int(entry.name))
                if stat and stat[0] not in ("Z", "X"):
                    pids.append(int(entry.name))
        return pids

    def kill_server(self) -> int:
        """SIGKILL this home's server (a crash: no clean shutdown); its pid."""
        record = self.record()
        assert record is not None, "no server to kill"
        os.kill(record.pid, signal.SIGKILL)
        wait_until(lambda: record.pid not in self.server_pids(), "the killed server to go")
        return record.pid


def wait_until(condition, what: str, timeout: float = 30.0, every: float = 0.1):
    """Poll ``condition`` until it is truthy; fail saying what never happened (no timing asserts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
