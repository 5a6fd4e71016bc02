"""The fault suite: servers stopped, killed, moved; records corrupted; decoys planted.

Each test gets a ``TEMPORAL_NOTEBOOKS_HOME`` and preferred ports of its own (other tests' servers may
hold 7233), so whatever it starts, kills or corrupts is its own. Processes it starts are ended by
pid; its dev server is stopped through the same verified ``stop()`` the notebooks use.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_home import FaultHome, free_port


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultHome]:
    fault_home = FaultHome(tmp_path / "home", free_port(), free_port())
    fault_home.path.mkdir()
    for name, value in fault_home.env.items():
        if name.startswith("TEMPORAL_NOTEBOOKS_"):
            monkeypatch.setenv(name, value)
    yield fault_home
    for process in fault_home.started:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    for pid in fault_home.server_pids():  # only this home's server: no clean shutdown needed
        os.kill(pid, signal.SIGKILL)
