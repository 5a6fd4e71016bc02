"""The per-user dev server: started once, shared by kernels, outlives them, managed from a terminal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from kernel import Kernel

from temporal_notebooks.runtime import devserver


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "temporal_notebooks", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


async def test_two_kernels_share_one_server_that_outlives_them(dev_server: devserver.DevServer) -> None:
    setup = "from temporal_notebooks.notebook import *\nclient = await connect()\n"
    async with Kernel() as first, Kernel() as second:
        line_a = await first.ok(setup)
        line_b = await second.ok(setup)
    assert dev_server.address in line_a and line_a == line_b, (line_a, line_b)
    assert line_a.count("\n") == 1, f"one line, no server logs in the notebook: {line_a!r}"
    running = devserver.status()
    assert running == dev_server, "it must outlive the kernels"
    servers = subprocess.run(["pgrep", "-f", "temporal server start-dev"], capture_output=True, text=True)
    ours = [pid for pid in servers.stdout.split() if devserver.state_dir().as_posix() in _cmdline(pid)]
    assert ours == [str(running.pid)], "exactly one dev server for this user"


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


async def test_workflow_started_in_one_kernel_finishes_after_a_restart(
    dev_server: devserver.DevServer,
) -> None:
    """Durable execution across a kernel restart: the run waits on the server for the next worker."""
    start = """
from temporal_notebooks.notebook import *
from temporal_notebooks.workflows.greeting import GreetingWorkflow
from temporal_notebooks.activities.greeting import compose_greeting
from temporalio.common import WorkflowIDConflictPolicy
client = await connect()
handle = await client.start_workflow(GreetingWorkflow.run, "Restart", id=scoped("survives-restart"),
    task_queue=scoped("survives-restart"), id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)
print("started")
"""
    async with Kernel() as kernel:
        assert "started" in await kernel.ok(start)
    finish = """
from temporal_notebooks.notebook import *
from temporal_notebooks.workflows.greeting import GreetingWorkflow
from temporal_notebooks.activities.greeting import compose_greeting
client = await connect()
queue = scoped("survives-restart")
await start_worker(client, queue, workflows=[GreetingWorkflow], activities=[compose_greeting])
print(await client.get_workflow_handle(scoped("survives-restart")).result())
"""
    async with Kernel() as kernel:
        assert "Hello, Restart!" in await kernel.ok(finish)


def test_cli_status_start_stop_in_a_home_of_its_own(tmp_path) -> None:
    env = dict(os.environ, TEMPORAL_NOTEBOOKS_HOME=str(tmp_path))
    assert "No local dev server runs" in _cli("server", "status", env=env).stdout
    started = _cli("server", "start", env=env)
    assert started.returncode == 0, started.stderr
    assert "local dev server at 127.0.0.1:" in started.stdout
    again = _cli("server", "start", env=env)  # reused, not a second one
    assert again.stdout == started.stdout
    record = json.loads((tmp_path / "devserver.json").read_text())
    status = _cli("server", "status", env=env)
    assert status.returncode == 0 and f"pid {record['pid']}" in status.stdout
    assert "Stopped" in _cli("server", "stop", env=env).stdout
    assert not os.path.exists(f"/proc/{record['pid']}/cmdline") or not _cmdline(str(record["pid"]))
    assert "No local dev server runs" in _cli("server", "status", env=env).stdout


def test_a_foreign_server_on_the_default_port_is_never_taken_as_ours(tmp_path, monkeypatch) -> None:
    """Another user's listener on the preferred port: we start our own on another port."""
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", 0))
        foreign.listen()
        taken = foreign.getsockname()[1]
        monkeypatch.setenv(devserver.HOME_ENV, str(tmp_path))
        monkeypatch.setenv(devserver.PORT_ENV, str(taken))
        try:
            record = devserver.ensure_running()
            assert record.port != taken
            assert record.address.startswith("127.0.0.1:")
        finally:
            devserver.stop()


def test_a_stale_record_is_removed_not_trusted(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(devserver.HOME_ENV, str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = devserver.DevServer(dead.pid, 7233, 8233, "/nonexistent/temporal", "log", "db")
    (tmp_path / "devserver.json").write_text(json.dumps(stale.__dict__))
    assert devserver.status() is None
    assert not (tmp_path / "devserver.json").exists()


def _listening_addresses(port: int) -> list[str]:
    """IPv4/IPv6 addresses listening on ``port``, read from /proc/net (no extra tools needed)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.readlines()[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.append(address)
    return found


def test_server_binds_loopback_only_and_logs_to_a_file(dev_server: devserver.DevServer) -> None:
    for port in (dev_server.port, dev_server.ui_port):
        addresses = _listening_addresses(port)
        assert addresses, f"nothing listens on {port}"
        assert set(addresses) == {"0100007F"}, f"port {port} must listen on 127.0.0.1 only: {addresses}"
    assert os.path.exists(dev_server.log_file), "the server's output goes to its log file"


@pytest.mark.parametrize("name", ["temporal", "temporal-test-server"])
def test_binaries_come_from_the_installed_wheels(name: str) -> None:
    path = devserver.find_binary(name)
    assert os.access(path, os.X_OK)
