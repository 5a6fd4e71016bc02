"""`make lab PORT=…` opens JupyterLab on the port asked for, and a taken port is said, not skipped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_lab(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""}  # no browser to open: it prints the URL
    return subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def test_make_lab_serves_on_the_port_given(tmp_path: Path) -> None:
    port = _free_port()
    process = _make_lab(port, tmp_path / "lab.log")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"no JupyterLab on port {port}:\n{(tmp_path / 'lab.log').read_text()}")
        assert f":{port}/lab" in (tmp_path / "lab.log").read_text()
    finally:
        _stop(process)


def test_make_lab_on_a_taken_port_says_so_and_stops(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _make_lab(port, tmp_path / "lab.log")
        try:
            process.wait(120)
        finally:
            _stop(process)
    log = (tmp_path / "lab.log").read_text()
    assert process.returncode != 0
    assert f"port {port} is already in use" in log.lower() or "address already in use" in log.lower(), log
