"""A real JupyterHub for tests: learners as real Linux users, a shared class server, the guide's config.

Everything here follows docs/classroom.md ("JupyterHub with a shared Temporal server"): one Python
environment every user can run (a venv made from a system Python, with this repository and JupyterHub
installed into it), the notebooks copied into each learner's home, a class server started with the UI
under ``/services/temporal-ui``, and the guide's own ``jupyterhub_config.py`` block with its example
values replaced by this run's (ports, paths, user names). All of it binds to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "classroom.md"
# The guide's config block starts with this line; the test runs that block.
CONFIG_BLOCK_FIRST_LINE = "# jupyterhub_config.py: a minimal hub for a class"
# The guide's example values, and what each becomes in this test run.
GUIDE_EXAMPLES = {
    "hub_url": '"http://127.0.0.1:8000"',
    "password": '"change-me"',
    "users": '{"ada", "grace"}',
    "env_prefix": '"/opt/temporal-notebooks/',
    "address": '"127.0.0.1:7233"',
    "ui_url": '"http://127.0.0.1:8233"',
}
UI_PUBLIC_PATH = "/services/temporal-ui"
ENV_CACHE_PARENT = Path("/var/tmp")
START_TIMEOUT_S = 120.0


def _log(message: str) -> None:
    print(f"[hub {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runnable_by_others(path: Path) -> bool:
    """True when a user other than the owner may execute ``path`` (every parent folder searchable)."""
    real = path.resolve()
    if not real.exists() or not real.stat().st_mode & stat.S_IXOTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in real.parents)


def shared_python() -> Path | None:
    """A Python >= 3.11 that learners (other users) can run: the one running the tests when its
    folders are open to all, else the system's. A pyenv Python under /root (mode 700) is not."""
    candidates = [Path(sys._base_executable), Path("/usr/bin/python3"), Path("/usr/local/bin/python3")]
    for candidate in candidates:
        if not _runnable_by_others(candidate):
            continue
        version = subprocess.run(
            [str(candidate), "-c", "import sys; print(sys.version_info >= (3, 11))"],
            capture_output=True,
            text=True,
        )
        if version.stdout.strip() == "True":
            return candidate
    return None


def missing_hub_reason() -> str | None:
    """Why a hub cannot be started here, or None when it can."""
    if os.geteuid() != 0:
        return "JupyterHub starts each learner's server as that Linux user: run the tests as root"
    for tool in ("useradd", "userdel"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (Debian package passwd)"
    if shutil.which("configurable-http-proxy") is None:
        return (
            "configurable-http-proxy is not installed (as root, `make hub` installs it: "
            "apt-get install nodejs npm; npm install -g configurable-http-proxy)"
        )
    if shared_python() is None:
        return "no Python >= 3.11 that other users can run (e.g. Debian's /usr/bin/python3)"
    return None


# --- one environment for the hub and every learner -------------------------------------------------


def _dependency_key(python: Path) -> str:
    """Changes when the dependencies or the Python change: then the environment is built again."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    version = subprocess.run([str(python), "-VV"], capture_output=True, text=True).stdout
    text = json.dumps([project["dependencies"], str(python), version])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _pip(venv: Path, *args: str) -> None:
    """This test run's pip, installing into ``venv`` (pip's --python), quietly unless it fails."""
    command = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    command += ["--quiet", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def _trusted_root_folder(path: Path) -> bool:
    info = path.lstat()
    return stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o022


def hub_environment() -> Path:
    """The guide's "one environment for everyone": a venv from a Python all users can run, with
    JupyterHub and this repository's package (not editable: learners may not read the checkout).

    Its dependencies are kept between runs (about a minute to install) under /var/tmp, keyed by the
    dependency list; this checkout's package is reinstalled every run, so the test runs this code."""
    python = shared_python()
    assert python is not None, missing_hub_reason()
    venv = ENV_CACHE_PARENT / f"temporal-notebooks-hub-env-{_dependency_key(python)}"
    with open(ENV_CACHE_PARENT / "temporal-notebooks-hub-env.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        complete = venv / ".complete"
        if venv.exists() and not (_trusted_root_folder(venv) and complete.exists()):
            shutil.rmtree(venv)
        if not venv.exists():
            for stale in ENV_CACHE_PARENT.glob("temporal-notebooks-hub-env-*"):
                if stale.is_dir() and _trusted_root_folder(stale):
                    shutil.rmtree(stale, ignore_errors=True)  # built for older dependencies
            _log(f"building the class environment {venv} from {python} (first run: about a minute)")
            subprocess.run([str(python), "-m", "venv", "--without-pip", str(venv)], check=True)
            venv.chmod(0o755)
            _pip(venv, str(ROOT), "jupyterhub>=5", "setuptools>=68")
            complete.touch()
        # setuptools is in the environment, so no isolated build env: 20 s less on a busy machine.
        _pip(venv, "--no-deps", "--force-reinstall", "--no-build-isolation", str(ROOT))
    _log(f"class environment ready: {venv}")
    return venv


# --- learners: real Linux users --------------------------------------------------------------------


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
    return pids


@dataclass
class LearnerMemory:
    """Resident memory of a learner's processes: their single-user server and their kernels."""

    server_bytes: int = 0
    kernel_bytes: list[int] = field(default_factory=list)
    other_bytes: int = 0

    def describe(self) -> str:
        kernels = " + ".join(f"{size / 2**20:.0f}" for size in self.kernel_bytes) or "no"
        total = self.server_bytes + sum(self.kernel_bytes) + self.other_bytes
        return (
            f"{total / 2**20:.0f} MB: single-user server {self.server_bytes / 2**20:.0f} MB, "
            f"{len(self.kernel_bytes)} kernel(s) {kernels} MB, other {self.other_bytes / 2**20:.0f} MB"
        )


def memory_of_user(uid: int) -> LearnerMemory:
    memory = LearnerMemory()
    for pid in _processes_of(uid):
        with contextlib.suppress(OSError, ValueError, StopIteration):
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            rss = int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) * 1024
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if "jupyterhub-singleuser" in command:
                memory.server_bytes += rss
            elif "ipykernel" in command:
                memory.kernel_bytes.append(rss)
            else:
                memory.other_bytes += rss
    return memory


@contextlib.contextmanager
def learner_accounts(count: int) -> Iterator[list[str]]:
    """``count`` Linux users with names unique to this run, each with the notebooks in their home;
    their processes and accounts are removed afterwards."""
    run = secrets.token_hex(3)
    names = [f"tnhub{run}{chr(ord('a') + index)}" for index in range(count)]
    created: list[str] = []
    try:
        for name in names:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
            created.append(name)
            home = Path(pwd.getpwnam(name).pw_dir)
            shutil.copytree(ROOT / "notebooks", home / "notebooks", ignore=shutil.ignore_patterns(".*"))
            subprocess.run(["chown", "-R", f"{name}:", str(home)], check=True)
        yield names
    finally:
        for name in created:
            uid = pwd.getpwnam(name).pw_uid
            for pid in _processes_of(uid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            subprocess.run(["userdel", "--remove", "--force", name], capture_output=True)


# --- the class server --------------------------------------------------------------------------


@dataclass
class ClassServer:
    address: str
    ui_url: str


@contextlib.contextmanager
def class_server(state_dir: Path) -> Iterator[ClassServer]:
    """The class's shared server, started as the guide says: `class-server start` (the tuned flags, the UI
    under /services/temporal-ui), which returns once the namespace and the UI answer; stopped after."""
    port, ui_port = _free_port(), _free_port()
    command = [sys.executable, "-m", "temporal_notebooks", "class-server"]
    options = ["--listen", "127.0.0.1", "--port", str(port), "--ui-port", str(ui_port)]
    options += ["--ui-public-path", UI_PUBLIC_PATH, "--state-dir", str(state_dir)]
    started = subprocess.run([*command, "start", *options], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, f"class-server start failed: {started.stdout}{started.stderr}"
    assert "c.Spawner.environment" in started.stdout and "c.JupyterHub.services" in started.stdout
    server = ClassServer(f"127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}")
    try:
        _log(f"class server ready at {server.address}, UI {server.ui_url}{UI_PUBLIC_PATH}")
        yield server
    finally:
        subprocess.run([*command, "stop", "--state-dir", str(state_dir)], capture_output=True, timeout=60)


# --- the hub -------------------------------------------------------------------------------------


def guide_config_block() -> str:
    """The guide's minimal jupyterhub_config.py, as written there."""
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)
    matching = [block for block in blocks if block.startswith(CONFIG_BLOCK_FIRST_LINE)]
    assert len(matching) == 1, f"docs/classroom.md needs one block starting {CONFIG_BLOCK_FIRST_LINE!r}"
    return matching[0]


@dataclass
class Hub:
    url: str
    password: str
    learners: list[str]
    environment: dict[str, str]
    process: subprocess.Popen
    log_file: Path
    config_file: Path
    uids: dict[str, int] = field(default_factory=dict)

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        return ""


def hub_config(venv: Path, server: ClassServer, learners: list[str], hub_url: str, password: str) -> str:
    """The guide's block with this run's values, plus what only a test needs."""
    text = guide_config_block()
    replacements = {
        "hub_url": json.dumps(hub_url),
        "password": json.dumps(password),
        "users": "{" + ", ".join(json.dumps(name) for name in learners) + "}",
        "env_prefix": json.dumps(f"{venv}/")[:-1],
        "address": json.dumps(server.address),
        "ui_url": json.dumps(server.ui_url),
    }
    for key, example in GUIDE_EXAMPLES.items():
        assert example in text, f"the guide's config block no longer has {example} ({key}): update the test"
        text = text.replace(example, replacements[key])
    test_only = f"""
# --- test only: free ports for the hub's internal API and the proxy's API; slow machines; a page the
# test can drive (window.jupyterapp).
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{_free_port()}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_free_port()}"
c.Spawner.start_timeout = {int(START_TIMEOUT_S)}
c.Spawner.http_timeout = {int(START_TIMEOUT_S)}
c.Spawner.args = ["--LabApp.expose_app_in_browser=True"]
"""
    return text + test_only


@contextlib.contextmanager
def running_hub(venv: Path, server: ClassServer, learners: list[str], workdir: Path) -> Iterator[Hub]:
    """JupyterHub (from the class environment, as root) with the guide's config; stopped after, with
    the learners' servers it started."""
    port = _free_port()
    hub_url = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(12)
    workdir.mkdir(mode=0o700)  # the hub's cookie secret and database live here
    config_file = workdir / "jupyterhub_config.py"
    config_file.write_text(hub_config(venv, server, learners, hub_url, password))
    proxy_dir = str(Path(shutil.which("configurable-http-proxy") or "").parent)
    env = {
        "PATH": os.pathsep.join([str(venv / "bin"), proxy_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": str(workdir),
    }
    log_file = workdir / "jupyterhub.log"
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [str(venv / "bin" / "jupyterhub"), "-f", str(config_file)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    namespace = {"c": _Config()}
    exec(config_file.read_text().replace("c = get_config()", "pass"), namespace)  # noqa: S102
    hub = Hub(
        hub_url,
        password,
        learners,
        dict(namespace["c"].Spawner.environment),
        process,
        log_file,
        config_file,
        {name: pwd.getpwnam(name).pw_uid for name in learners},
    )
    try:
        _wait_for(lambda: _hub_answers(hub_url), process, log_file, "JupyterHub")
        _log(f"JupyterHub ready at {hub_url} for {', '.join(learners)}")
        yield hub
    finally:
        _stop(process, timeout=30)


class _Config:
    """Enough of traitlets' config object to read the guide's block (``c.Spawner.environment``...)."""

    def __getattr__(self, name: str) -> _Config:
        value = _Config()
        object.__setattr__(self, name, value)
        return value


# --- helpers ---------------------------------------------------------------------------------------


def _hub_answers(hub_url: str) -> bool:
    """The hub itself answers through its proxy. The proxy is up first and answers 404 until the hub
    has added its route: a login page opened then is the proxy's error page, for good."""
    try:
        with urllib.request.urlopen(f"{hub_url}/hub/api/", timeout=3) as response:
            return "version" in json.loads(response.read())
    except (OSError, ValueError):  # HTTPError is an OSError
        return False


def _wait_for(check, process: subprocess.Popen, log_file: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start:\n{log_file.read_text(errors='replace')[-4000:]}")
        if check():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer in {START_TIMEOUT_S:.0f} s:\n{log_file.read_text()[-4000:]}")


def _stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def temporary_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
