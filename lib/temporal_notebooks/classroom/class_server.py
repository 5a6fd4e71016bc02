"""The class's shared Temporal dev server: ``temporal-notebooks class-server start|status|stop``.

One command starts it with the settings the lessons are tuned for (the same
:func:`~temporal_notebooks.runtime.devserver.server_command` a learner's own server uses: SQLite
pragmas, timers on time, no news feed), the class's namespace, the address the hub's user servers
reach it on, and the Web UI's public path for a JupyterHub service. It then prints the lines to
paste into ``jupyterhub_config.py``.

Unlike a learner's server, it never moves to another port: every learner's settings name its
address, so a taken port is an error that says so. Its record (pid, ports, options) lives in its
own state directory; a record whose process is gone is removed, not trusted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from ..runtime import devserver

RECORD_NAME = "class-server.json"
DEFAULT_UI_PUBLIC_PATH = "/services/temporal-ui"
SERVICE_NAME = "temporal-ui"
START_TIMEOUT_S = 60.0
WILDCARDS = ("0.0.0.0", "::", "")

# What a class's server runs with on top of a learner's own server's settings (server_command).
# Values are JSON, as `temporal server start-dev --dynamic-config-value` takes them. Measured with
# benchmarks/classroom_load.py --drivers (docs/classroom.md, "Capacity"); a learner sees no change.
CLASS_DYNAMIC_CONFIG: dict[str, str] = {
    # One partition per task queue instead of four. Every learner has their own small queues, and
    # the dev server keeps them all in one SQLite connection: with 60 learners the partitions' own
    # bookkeeping (GetTaskQueue, UpdateTaskQueue, CreateTaskQueue) took 1.25 s of the 1.64 s of
    # persistence time per click; with one partition it took 0.03 s (0.30 s per click in all).
    "matching.numTaskqueueReadPartitions": "1",
    "matching.numTaskqueueWritePartitions": "1",
    # The history service reads new transfer tasks (a workflow task to hand to matching, for one) at most
    # 20 times a second by default, so at a class's rate a workflow task waited for the next read: 32-40 ms
    # each, twice per click, at 100 learners. Read as often as tasks come: 11-14 ms, and 100 learners went
    # from p50 105 / p95 194 ms to 52 / 118 ms waiting by update, 161 / 298 to 69 / 211 ms by query
    # (2 December 2026, one run each, quiet). A learner alone never reaches 20 reads a second: no change.
    "history.transferProcessorMaxPollRPS": "1000",
    # Eager activities stay on (the server's default; system.enableActivityEagerExecution): off, a
    # click's greeting activity makes a trip through matching, and 10 learners waiting by update went
    # from p50 28 / p95 46-80 ms to p50 57 / p95 172 ms (2 December 2026, load 3).
}
CLASS_SQLITE_PRAGMAS: dict[str, str] = {}
_DYNAMIC_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_PRAGMA_PART = re.compile(r"[A-Za-z0-9_-]+")


class ClassServerError(RuntimeError):
    """The class server could not be started, found or stopped; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class ClassServerOptions:
    """What ``class-server start`` was asked for."""

    listen: str = "127.0.0.1"
    port: int = devserver.DEFAULT_PORT
    ui_port: int = devserver.DEFAULT_UI_PORT
    namespace: str = "default"
    ui_public_path: str = DEFAULT_UI_PUBLIC_PATH  # "" or "/": the UI at the root of its port
    advertise: str = ""  # the host name learners' servers use; default: the listen address
    state_dir: str = ""
    metrics_port: int = 0  # the server's Prometheus /metrics; 0: a free port, chosen at start
    # KEY=VALUE pairs over CLASS_DYNAMIC_CONFIG and the lessons' own (VALUE is JSON), and SQLite
    # pragmas NAME=VALUE over the lessons' own: for tuning a class's server without editing code.
    dynamic_config: tuple[str, ...] = ()
    sqlite_pragmas: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ClassServer:
    """The record of a running class server."""

    pid: int
    binary: str
    listen: str
    port: int
    ui_port: int
    namespace: str
    ui_public_path: str
    advertise: str
    state_dir: str
    log_file: str
    db_file: str
    metrics_port: int = 0  # 0 in a record written before the port was recorded

    @property
    def address(self) -> str:
        """What learners' ``TEMPORAL_ADDRESS`` names."""
        return f"{_url_host(self.advertise)}:{self.port}"

    @property
    def local_host(self) -> str:
        """Where this machine reaches the server (a wildcard listen address is reached on loopback)."""
        return "127.0.0.1" if self.listen in WILDCARDS else self.listen

    @property
    def ui_url(self) -> str:
        """The UI as the hub's proxy reaches it (the service's ``url``)."""
        return f"http://{_url_host(self.advertise)}:{self.ui_port}"

    @property
    def local_ui_url(self) -> str:
        return f"http://{_url_host(self.local_host)}:{self.ui_port}{self.ui_public_path}"

    @property
    def metrics_url(self) -> str | None:
        """The server's Prometheus metrics (requests, latencies, persistence), on this machine."""
        if not self.metrics_port:
            return None
        return f"http://{_url_host(self.local_host)}:{self.metrics_port}/metrics"

    def describe(self) -> str:
        ui = f"Web UI on port {self.ui_port}" + (f" at {self.ui_public_path}" if self.ui_public_path else "")
        return (
            f"Class server running: pid {self.pid}, listening on {self.listen}:{self.port}, "
            f"namespace '{self.namespace}', {ui}. Learners connect to {self.address}. "
            + (f"Metrics at {self.metrics_url}. " if self.metrics_url else "")
            + f"State and log in {self.state_dir}"
        )

    def hub_config(self) -> str:
        """The lines for ``jupyterhub_config.py``: every learner's kernel gets the class's server, and
        the hub serves the Web UI at the public path (a JupyterHub service: not behind the hub's login).

        ``.update`` / ``.append`` keep whatever the file already sets for the two options."""
        environment = {
            "TEMPORAL_ADDRESS": self.address,
            "TEMPORAL_NAMESPACE": self.namespace,
        }
        # Behind the hub: a path on the hub's own host. Else the UI's port, where browsers reach it.
        environment["TEMPORAL_NOTEBOOKS_UI_URL"] = self.ui_public_path or self.ui_url
        text = f"c.Spawner.environment.update({_pretty(environment)})"
        if self.ui_public_path:
            service = {"name": SERVICE_NAME, "url": self.ui_url}
            text += f"\nc.JupyterHub.services.append({_pretty(service)})"
        return text


def _pretty(value: dict[str, str]) -> str:
    body = "".join(f"\n    {json.dumps(k)}: {json.dumps(v)}," for k, v in value.items())
    return "{" + body + "\n}"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def default_state_dir() -> Path:
    """``class-server/`` beside the per-user dev server's state (``$TEMPORAL_NOTEBOOKS_HOME``)."""
    return devserver.state_dir() / "class-server"


def _directory(state_dir: str | Path | None) -> Path:
    path = Path(state_dir) if state_dir else default_state_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_record(state_dir: str | Path | None = None) -> ClassServer | None:
    """The running class server recorded in ``state_dir``, else None (a stale record is removed)."""
    path = _directory(state_dir) / RECORD_NAME
    try:
        record = ClassServer(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if devserver.server_process_alive(record.pid, record.db_file):
        return record
    path.unlink(missing_ok=True)
    return None


def _bind_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None. SO_REUSEADDR: a port in TIME_WAIT after a
    stop is free to bind again (the server binds it the same way)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _advertised(options: ClassServerOptions) -> str:
    if options.advertise:
        return options.advertise
    if options.listen in WILDCARDS:
        return socket.getfqdn() or socket.gethostname()
    return options.listen


def _settings(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """``KEY=VALUE`` pairs as a dict, checked here so a typo is one line, not a server that exits."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if option == "--dynamic-config-value":
            problem = None if _DYNAMIC_KEY.fullmatch(key) else "the key is not a setting's name"
            try:
                json.loads(value)
            except ValueError:
                problem = problem or "the value is not JSON (a string needs quotes: KEY='\"text\"')"
        else:
            ok = _PRAGMA_PART.fullmatch(key) and _PRAGMA_PART.fullmatch(value)
            problem = None if ok else "give a pragma's name and a plain value"
        if not sep or problem:
            raise ClassServerError(f"{option} {pair!r}: expected KEY=VALUE; {problem or 'no ='}.")
        settings[key] = value
    return settings


def _overridden(command: list[str], flag: str, settings: dict[str, str]) -> list[str]:
    """``command`` with each ``flag KEY=...`` whose KEY is in ``settings`` replaced by its value."""
    result: list[str] = []
    arguments = iter(command)
    for arg in arguments:
        if arg == flag:
            value = next(arguments, "")
            if value.partition("=")[0] not in settings:
                result += [arg, value]
            continue
        result.append(arg)
    for key, value in settings.items():
        result += [flag, f"{key}={value}"]
    return result


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start(options: ClassServerOptions) -> tuple[ClassServer, bool]:
    """Start the class server detached (or find it running); returns it and whether it was started
    now. Returns once the server answers in its namespace and its Web UI answers."""
    directory = _directory(options.state_dir)
    running = read_record(directory)
    if running is not None:
        return running, False
    ui_path = "" if options.ui_public_path in ("", "/") else "/" + options.ui_public_path.strip("/")
    dynamic_config = {**CLASS_DYNAMIC_CONFIG, **_settings(options.dynamic_config, "--dynamic-config-value")}
    pragmas = {**CLASS_SQLITE_PRAGMAS, **_settings(options.sqlite_pragmas, "--sqlite-pragma")}
    ports = {"--port": options.port, "--ui-port": options.ui_port}
    if options.metrics_port:
        ports["--metrics-port"] = options.metrics_port
    if len(set(ports.values())) < len(ports):
        raise ClassServerError(f"{', '.join(ports)} must be different ports (given: {list(ports.values())}).")
    for what, port in ports.items():
        problem = _bind_problem(options.listen, port)
        if problem:
            raise ClassServerError(
                f"Cannot listen on {options.listen}:{port} ({problem}): another program holds it, or the "
                f"address is not this machine's. Stop that program or choose another {what}."
            )
    binary = devserver.find_binary("temporal")
    log_file, db_file = directory / "class-server.log", directory / "class-server.db"
    command = devserver.server_command(
        binary,
        host=options.listen,
        port=options.port,
        ui_port=options.ui_port,
        db_file=db_file,
        namespaces=(options.namespace,) if options.namespace != "default" else (),
        ui_public_path=ui_path or None,
    )
    command = _overridden(command, "--dynamic-config-value", dynamic_config)
    command = _overridden(command, "--sqlite-pragma", pragmas)
    metrics_port = options.metrics_port or _free_port(options.listen)
    command += ["--metrics-port", str(metrics_port)]
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the terminal or notebook that started it
            close_fds=True,
        )
    record = ClassServer(
        pid=process.pid,
        binary=binary,
        listen=options.listen,
        port=options.port,
        ui_port=options.ui_port,
        namespace=options.namespace,
        ui_public_path=ui_path,
        advertise=_advertised(options),
        state_dir=str(directory),
        log_file=str(log_file),
        db_file=str(db_file),
        metrics_port=metrics_port,
    )
    (directory / RECORD_NAME).write_text(json.dumps(dataclasses.asdict(record), indent=1))
    try:
        _wait_until_ready(record, process)
    except ClassServerError:
        stop(directory)
        raise
    return record, True


def _wait_until_ready(record: ClassServer, process: subprocess.Popen) -> None:
    """The gRPC port answers in the class's namespace, and the Web UI answers at its path."""
    deadline = time.monotonic() + START_TIMEOUT_S
    problem = "it did not answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClassServerError(
                f"The class server exited at start (code {process.returncode}). Its log: {record.log_file}"
            )
        problem = asyncio.run(_namespace_problem(record)) or _ui_problem(record)
        if problem is None:
            return
        time.sleep(0.2)
    raise ClassServerError(
        f"The class server did not get ready within {START_TIMEOUT_S:.0f} s ({problem}). "
        f"Its log: {record.log_file}"
    )


async def _namespace_problem(record: ClassServer) -> str | None:
    from temporalio.client import Client

    try:
        client = await asyncio.wait_for(
            Client.connect(f"{_url_host(record.local_host)}:{record.port}", namespace=record.namespace), 3
        )
        await asyncio.wait_for(client.count_workflows(), 3)
    except Exception as exc:  # not up yet
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    return None


def _ui_problem(record: ClassServer) -> str | None:
    url = f"{record.local_ui_url}/api/v1/namespaces/{record.namespace}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return None if response.status == 200 else f"Web UI answered {response.status}"
    except Exception as exc:
        return f"Web UI: {exc}"


def stop(state_dir: str | Path | None = None, timeout_s: float = 15.0) -> ClassServer | None:
    """Stop the class server recorded in ``state_dir``; returns what was stopped, or None."""
    directory = _directory(state_dir)
    record = read_record(directory)
    if record is None:
        return None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and devserver.server_process_alive(record.pid, record.db_file):
        time.sleep(0.05)
    if devserver.server_process_alive(record.pid, record.db_file):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(record.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(record.pid, os.WNOHANG)  # reap it when this process started it (tests)
    (directory / RECORD_NAME).unlink(missing_ok=True)
    return record


def main(action: str, options: ClassServerOptions) -> int:
    """``class-server start|status|stop``: one paragraph of output, exit 0 on success."""
    try:
        if action == "start":
            record, started = start(options)
            print(("Started. " if started else "Already running. ") + record.describe())
            print(f"Web UI on this machine: {record.local_ui_url}")
            if record.metrics_url:
                print(f"Server metrics (Prometheus): {record.metrics_url}")
            print("\nPaste into jupyterhub_config.py (every learner's kernel then uses this server):\n")
            print(record.hub_config())
            print("\nThen check it as a learner would: temporal-notebooks smoke (with the same settings).")
            return 0
        if action == "stop":
            record = stop(options.state_dir)
            where = options.state_dir or default_state_dir()
            if record:
                print(f"Stopped the class server (pid {record.pid}).")
            else:
                print(f"No class server runs ({where}).")
            return 0
        record = read_record(options.state_dir)
        if record is None:
            print(f"No class server runs (state in {options.state_dir or default_state_dir()}).")
            return 1
        print(record.describe())
        return 0
    except (ClassServerError, devserver.DevServerError) as exc:
        print(f"class-server {action} FAILED: {exc}")
        return 2
