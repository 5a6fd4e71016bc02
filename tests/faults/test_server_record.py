"""Issue 8 §2 and issue 11 §4: the server record names our server or nothing; one server per state
directory; `stop` signals only a verified process; no zombies; restarts keep their ports; a
learner's server on a hub stops by itself once its last client is gone; `status` shows a link the
learner can open."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from fault_home import FaultHome, wait_until
from temporalio.client import Client

from temporal_notebooks.runtime import devserver
from temporal_notebooks.runtime.connection import connect_when_ready


def _decoy(home: FaultHome, *args: str):
    """A live process whose command line looks like a Temporal server: it must never be taken for ours."""
    return home.spawn(sys.executable, "-c", "import time; time.sleep(120)", *args)


def test_a_decoy_named_temporal_is_neither_reported_nor_signalled(home: FaultHome) -> None:
    decoy = _decoy(home, "temporal", "server", "start-dev", "--db-filename", str(home.path / "temporal.db"))
    db = str(home.path / "x.db")
    forged = devserver.DevServer(decoy.pid, home.port, home.ui_port, "temporal", "log", db)
    (home.path / "devserver.json").write_text(json.dumps(forged.__dict__))

    status = home.cli("server", "status")
    assert "No local dev server runs" in status.stdout, status.stdout
    assert "No local dev server runs" in home.cli("server", "stop").stdout
    assert decoy.poll() is None, "stop must never signal a process that is not our server"

    started = home.cli("server", "start")
    assert started.returncode == 0, started.stderr
    assert f"local dev server at 127.0.0.1:{home.port}" in started.stdout
    record = home.record()
    assert record is not None and record.pid != decoy.pid and home.server_pids() == [record.pid]


def test_a_recorded_pid_reused_by_another_process_is_not_trusted(home: FaultHome) -> None:
    """Even a process with our exact command line is not ours when its start time differs."""
    server = devserver.ensure_running()
    devserver.stop()
    lookalike = _decoy(home, "start-dev", "--db-filename", server.db_file)
    forged = devserver.DevServer(**{**server.__dict__, "pid": lookalike.pid})
    (home.path / "devserver.json").write_text(json.dumps(forged.__dict__))
    assert devserver.status() is None
    assert not devserver.stop()
    assert lookalike.poll() is None


def test_a_truncated_record_while_the_server_runs_is_repaired_and_no_second_server_starts(
    home: FaultHome,
) -> None:
    first = home.cli("server", "start")
    assert first.returncode == 0, first.stderr
    pid = home.record().pid
    text = (home.path / "devserver.json").read_text()
    (home.path / "devserver.json").write_text(text[: len(text) // 2])

    again = home.cli("server", "start")
    assert again.returncode == 0, again.stderr
    repair_lines = [line for line in again.stdout.splitlines() if "unreadable" in line]
    assert len(repair_lines) == 1 and f"pid {pid}" in repair_lines[0], again.stdout
    assert home.server_pids() == [pid], "one server per state directory"
    assert json.loads((home.path / "devserver.json").read_text())["pid"] == pid
    assert "Stopped" in home.cli("server", "stop").stdout
    assert home.server_pids() == [], "the repaired record lets `stop` stop the one server"


def test_a_deleted_record_while_the_server_runs_is_found_again(home: FaultHome) -> None:
    pid = devserver.ensure_running().pid
    (home.path / "devserver.json").unlink()
    assert devserver.ensure_running().pid == pid
    assert home.server_pids() == [pid]


def test_an_unreadable_record_without_a_server_is_removed_with_one_line(home: FaultHome) -> None:
    (home.path / "devserver.json").write_text("{not json")
    status = home.cli("server", "status")
    assert status.stdout.count("was unreadable") == 1 and "removed it" in status.stdout, status.stdout
    assert not (home.path / "devserver.json").exists()


def test_starts_at_once_from_many_processes_make_one_server(home: FaultHome) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: home.cli("server", "start"), range(4)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len({r.stdout for r in results}) == 1, [r.stdout for r in results]
    assert len(home.server_pids()) == 1


def _time_wait_sockets(port: int) -> int:
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == "06" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


def _leave_in_time_wait(port: int) -> None:
    """What a stopped server leaves behind: a connection on ``port`` closed by the server's side first."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()  # the server's end closes first: it is the end that waits
            client.recv(1)


async def test_a_restart_comes_back_on_the_preferred_ports_despite_time_wait(home: FaultHome) -> None:
    server = devserver.ensure_running()
    assert (server.port, server.ui_port) == (home.port, home.ui_port)
    # ensure_running() returns once the port accepts connections; the frontend may still be starting
    # ("Frontend is not healthy yet"), which a notebook's connect() waits out the same way.
    client = await asyncio.wait_for(connect_when_ready({"target_host": server.address}, local=True), 30)
    assert await _healthy_within(client, 10)
    await asyncio.to_thread(devserver.stop)
    _leave_in_time_wait(home.port)
    assert _time_wait_sockets(home.port) > 0, "the scenario needs the old port in TIME_WAIT"
    again = await asyncio.to_thread(devserver.ensure_running)
    assert (again.port, again.ui_port) == (home.port, home.ui_port)
    assert await _healthy_within(client, 10), "a client of the old server reconnects by itself"


async def _healthy_within(client: Client, seconds: float) -> bool:
    """The server answers ``client``'s health check within ``seconds`` (a server just started may not yet)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            if await client.service_client.check_health():
                return True
        except Exception:
            pass
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.1)


def test_a_start_right_after_a_stop_starts_the_server_again(home: FaultHome) -> None:
    """What lesson 01b does: stop the server, then connect at once. The server's main thread is gone
    some milliseconds before its other threads let go of the database and the running lock."""
    previous = None
    for _ in range(3):
        server = devserver.ensure_running()
        assert server.pid != previous and (server.port, server.ui_port) == (home.port, home.ui_port)
        assert devserver.stop()
        assert not devserver._server_lock_held(), "stop() returned while the server still held the database"
        previous = server.pid
    assert devserver.ensure_running().pid != previous


def _hold_running_lock(home: FaultHome, seconds: float):
    """A process holding the running lock and nothing else: the last threads of an exiting server."""
    holder = home.spawn(
        sys.executable,
        "-c",
        "import fcntl, time\n"
        f"lock = open({str(home.path / devserver.RUNNING_LOCK_NAME)!r}, 'a')\n"
        f"fcntl.flock(lock, fcntl.LOCK_EX)\ntime.sleep({seconds})",
    )
    wait_until(devserver._server_lock_held, "the helper to hold the lock")
    return holder


def test_a_start_waits_for_an_exiting_server_to_let_go_of_its_lock(home: FaultHome) -> None:
    _hold_running_lock(home, 1.0)
    server = devserver.ensure_running()
    assert devserver._port_open(server.port) and devserver._verified(server)


def test_a_lock_held_past_the_grace_is_reported_with_what_to_do(home: FaultHome, monkeypatch) -> None:
    monkeypatch.setattr(devserver, "EXIT_GRACE_S", 0.5)
    _hold_running_lock(home, 60)
    with pytest.raises(devserver.DevServerError, match="cannot be identified. Stop it"):
        devserver.ensure_running()


def test_a_foreign_listener_on_the_preferred_port_moves_the_server_elsewhere(home: FaultHome) -> None:
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", home.port))
        foreign.listen()
        record = devserver.ensure_running()
    assert record.port != home.port


def _zombies_of(pid: int) -> list[int]:
    found = []
    for entry in __import__("pathlib").Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2 :].split()
            if fields[0] == "Z" and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_server_stopped_from_a_terminal_leaves_no_zombie_under_its_starter(home: FaultHome) -> None:
    """The process that started the server lives on (a kernel); `server stop` from a terminal."""
    starter = home.spawn(
        sys.executable,
        "-c",
        "import time\nfrom temporal_notebooks.runtime import devserver\n"
        "devserver.ensure_running()\nprint('up', flush=True)\ntime.sleep(120)",
    )
    wait_until(lambda: home.server_pids(), "the server to start")
    wait_until(lambda: home.record() is not None and devserver._port_open(home.record().port), "its port")
    assert "Stopped" in home.cli("server", "stop").stdout
    assert home.server_pids() == []
    assert wait_until(lambda: not _zombies_of(starter.pid), "the stopped server to be reaped", timeout=10)
    assert starter.poll() is None


async def test_a_learner_server_stops_by_itself_after_its_last_client_left(
    home: FaultHome, monkeypatch
) -> None:
    monkeypatch.setenv(devserver.IDLE_STOP_ENV, "2")
    server = await asyncio.to_thread(devserver.ensure_running)
    # A first client at once (a kernel takes seconds to import the SDK: longer than this idle time).
    guard = socket.create_connection(("127.0.0.1", server.port))
    kernel_like = home.spawn(
        sys.executable,
        "-c",
        "import asyncio, sys\nfrom temporalio.client import Client\n"
        f"async def main():\n    await Client.connect({server.address!r})\n    await asyncio.sleep(6)\n"
        "asyncio.run(main())",
    )
    await asyncio.to_thread(wait_until, lambda: devserver.client_connections(server) >= 2, "the client", 60)
    guard.close()
    while kernel_like.poll() is None:  # while a client stays connected the server stays up
        assert home.server_pids() == [server.pid]
        await asyncio.sleep(0.5)
    await asyncio.to_thread(wait_until, lambda: home.server_pids() == [], "the idle server to stop", 60)
    assert home.record() is None
    assert "no client for 2 s" in (home.path / "devserver.log").read_text()


def test_idle_stop_is_off_by_default_outside_a_hub_and_on_for_a_hub(monkeypatch) -> None:
    for name in ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER", devserver.IDLE_STOP_ENV):
        monkeypatch.delenv(name, raising=False)
    assert devserver.idle_stop_seconds() == 0
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert devserver.idle_stop_seconds() > 0
    monkeypatch.setenv(devserver.IDLE_STOP_ENV, "0")
    assert devserver.idle_stop_seconds() == 0


def test_status_on_a_hub_shows_the_link_the_learner_can_open(home: FaultHome) -> None:
    hub = {
        "JUPYTERHUB_SERVICE_PREFIX": "/user/ada/",
        "JUPYTERHUB_USER": "ada",
        "JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/",
        devserver.IDLE_STOP_ENV: "0",
    }
    assert home.cli("server", "start", env=hub).returncode == 0
    status = home.cli("server", "status", env=hub)
    link = f"https://hub.example.org/user/ada/proxy/absolute/{home.ui_port}/"
    assert f"Web UI {link}," in status.stdout, status.stdout
    assert "http://127.0.0.1" not in status.stdout


def test_the_record_is_replaced_atomically_so_a_reader_never_sees_half(home: FaultHome) -> None:
    record = devserver.DevServer(1, home.port, home.ui_port, "temporal", "log", "db", "/" + "x" * 4000)
    devserver._write_record(record)
    stop = False

    def rewrite() -> None:
        while not stop:
            devserver._write_record(record)

    with ThreadPoolExecutor(1) as pool:
        writer = pool.submit(rewrite)
        try:
            for _ in range(2000):
                assert json.loads((home.path / "devserver.json").read_text())["pid"] == 1
        finally:
            stop = True
        writer.result()
