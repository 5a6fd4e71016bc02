# ruff: noqa: E501  (the rows hold whole learner-facing lines; splitting them hides what a learner reads)
"""One clear line for every expected mistake (issue 8 §4), in a real kernel, as a learner sees it.

Each row of CASES is one mistake: the settings the kernel starts with, the cell the learner runs,
the exact line shown under it (one line, no traceback), and a next cell that must still run: for
most rows it follows the line's own advice and succeeds, which proves the advice works.
No secret (API key, TLS key) may appear in any output or in any log file of the notebooks' home.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from kernel import CellResult, Kernel

from temporal_notebooks.runtime import devserver

API_KEY = "sk-test-NOT-A-REAL-KEY-4f1c9a"
TLS_KEY_MATERIAL = "SECRET-TLS-KEY-MATERIAL-77e2"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SETUP = "from temporal_notebooks.notebook import *\nimport os\n"
CHECK_CONNECTED = "client = await connect()"
RERUN = "then re-run this cell."


@dataclasses.dataclass
class Where:
    """What a row's settings and lines may refer to."""

    tmp: Path
    server: str  # the test run's local dev server, host:port
    http_port: int  # a plain HTTP server (not Temporal)
    home: str  # the test run's notebooks home

    @property
    def corrupt_home(self) -> Path:
        return self.tmp / "corrupt-home"


@dataclasses.dataclass
class Case:
    name: str
    env: Callable[[Where], dict[str, str]]
    cell: str
    line: Callable[[Where], str]  # the exact line shown, "Name: text"
    then: str = "print(1 + 1)"  # the next cell: must succeed
    then_shows: str = "2"
    exact: bool = True  # False: ``line`` is the start of the line (the rest is the connection's own text)


def _files(where: Where) -> None:
    """The files some rows point at: a broken TOML, a profile file, TLS files with a secret key."""
    (where.tmp / "broken.toml").write_text('[profile.default\naddress = "localhost:7233"\n')
    (where.tmp / "profiles.toml").write_text('[profile.class]\naddress = "localhost:7233"\n')
    (where.tmp / "client.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n"
    )
    (where.tmp / "client.key").write_text(
        f"-----BEGIN PRIVATE KEY-----\n{TLS_KEY_MATERIAL}\n-----END PRIVATE KEY-----\n"
    )
    (where.tmp / "a-file").write_text("not a folder")
    where.corrupt_home.mkdir(exist_ok=True)
    (where.corrupt_home / "temporal.db").write_bytes(b"this is not an SQLite database\x00" * 200)


def _unreachable(address: str, reason: str) -> str:
    return f"ServerUnreachableError: Cannot reach the configured server at {address} (namespace 'default'): {reason}."


CASES = [
    Case(
        "home that cannot be created",
        lambda w: {"TEMPORAL_NOTEBOOKS_HOME": str(w.tmp / "a-file" / "home")},
        CHECK_CONNECTED,
        lambda w: (
            f"SettingsError: The notebooks home folder {w.tmp / 'a-file' / 'home'} cannot be created or written "
            f"(Not a directory). Set TEMPORAL_NOTEBOOKS_HOME to a folder you can write (in a cell: %env "
            f"TEMPORAL_NOTEBOOKS_HOME={Path.home() / 'temporal-notebooks'}), {RERUN}"
        ),
        then="os.environ['TEMPORAL_NOTEBOOKS_HOME'] = {home!r}\n" + CHECK_CONNECTED,
        then_shows="Temporal local dev server at",
    ),
    Case(
        "TEMPORAL_ADDRESS that is not host:port",
        lambda w: {"TEMPORAL_ADDRESS": "not a host::"},
        CHECK_CONNECTED,
        lambda w: (
            "SettingsError: TEMPORAL_ADDRESS is 'not a host::', which is not host:port (e.g. 'localhost:7233' "
            "or 'my-namespace.a1b2c.tmprl.cloud:7233'). Fix it, or unset it to use the local dev server, "
            + RERUN
        ),
        then="del os.environ['TEMPORAL_ADDRESS']\n" + CHECK_CONNECTED,
        then_shows="Temporal local dev server at",
    ),
    Case(
        "TEMPORAL_ADDRESS with a port that is not a number",
        lambda w: {"TEMPORAL_ADDRESS": "localhost:seven"},
        CHECK_CONNECTED,
        lambda w: (
            "SettingsError: TEMPORAL_ADDRESS is 'localhost:seven', which is not host:port (e.g. 'localhost:7233' "
            "or 'my-namespace.a1b2c.tmprl.cloud:7233'). Fix it, or unset it to use the local dev server, "
            + RERUN
        ),
    ),
    Case(
        "TEMPORAL_ADDRESS as a URL",
        lambda w: {"TEMPORAL_ADDRESS": f"http://{w.server}/"},
        CHECK_CONNECTED,
        lambda w: (
            f"SettingsError: TEMPORAL_ADDRESS is 'http://{w.server}/': give host:port without a scheme "
            f"(e.g. '{w.server}'), {RERUN}"
        ),
        then=f"os.environ['TEMPORAL_ADDRESS'] = os.environ['TEMPORAL_ADDRESS'][7:-1]\n{CHECK_CONNECTED}",
        then_shows="Temporal configured server at",
    ),
    Case(
        "TLS file paths that do not exist",
        lambda w: {
            "TEMPORAL_ADDRESS": w.server,
            "TEMPORAL_TLS_CLIENT_CERT_PATH": "/nonexistent/client.pem",
            "TEMPORAL_TLS_CLIENT_KEY_PATH": "/nonexistent/client.key",
        },
        CHECK_CONNECTED,
        lambda w: (
            "SettingsError: The TLS file /nonexistent/client.pem (from TEMPORAL_TLS_CLIENT_CERT_PATH) does "
            "not exist. Fix the path, or unset the setting if this server needs no client certificate, "
            + RERUN
        ),
        then="for k in ('TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH'): del os.environ[k]\n"
        + CHECK_CONNECTED,
        then_shows="Temporal configured server at",
    ),
    Case(
        "unknown TEMPORAL_PROFILE",
        lambda w: {"TEMPORAL_CONFIG_FILE": str(w.tmp / "profiles.toml"), "TEMPORAL_PROFILE": "clas"},
        CHECK_CONNECTED,
        lambda w: (
            f"SettingsError: TEMPORAL_PROFILE is 'clas', but the Temporal config file {w.tmp / 'profiles.toml'} "
            f"has no such profile (it has: class). Fix or unset TEMPORAL_PROFILE, {RERUN}"
        ),
    ),
    Case(
        "malformed temporal.toml",
        lambda w: {"TEMPORAL_CONFIG_FILE": str(w.tmp / "broken.toml")},
        CHECK_CONNECTED,
        lambda w: (
            f"SettingsError: The Temporal config file {w.tmp / 'broken.toml'} is not valid TOML at line 1, "
            f"column 17: unclosed table, expected `]`. Fix it (or unset TEMPORAL_CONFIG_FILE), {RERUN}"
        ),
    ),
    Case(
        "TEMPORAL_CONFIG_FILE that does not exist",
        lambda w: {"TEMPORAL_CONFIG_FILE": str(w.tmp / "no-such.toml")},
        CHECK_CONNECTED,
        lambda w: (
            f"SettingsError: TEMPORAL_CONFIG_FILE names {w.tmp / 'no-such.toml'}, which does not exist, so no "
            "settings could be read from it. Fix the path, or unset TEMPORAL_CONFIG_FILE to use the default, "
            + RERUN
        ),
        then="del os.environ['TEMPORAL_CONFIG_FILE']\n" + CHECK_CONNECTED,
        then_shows="Temporal local dev server at",
    ),
    Case(
        "unknown namespace (connect succeeds, the first start fails)",
        lambda w: {"TEMPORAL_ADDRESS": w.server, "TEMPORAL_NAMESPACE": "no-such-namespace"},
        "client = await connect(quiet=True)\n"
        "await client.start_workflow('GreetingWorkflow', 'Ada', id=scoped('ns'), task_queue=scoped('ns'))",
        lambda w: (
            "RPCError: The server has no namespace 'no-such-namespace' (Namespace no-such-namespace is not "
            "found.). Check TEMPORAL_NAMESPACE (or the profile's namespace) for a typo, or ask your instructor "
            "for the right one; then restart the kernel and run the notebook again. (A local dev server has "
            "the namespace 'default'.)"
        ),
    ),
    Case(
        "API key against a server without TLS",
        lambda w: {"TEMPORAL_ADDRESS": w.server, "TEMPORAL_API_KEY": API_KEY},
        CHECK_CONNECTED,
        lambda w: _unreachable(
            w.server,
            "the server does not use TLS, but this client does (an API key turns TLS on): for a local "
            "server unset TEMPORAL_API_KEY / TEMPORAL_TLS; for Temporal Cloud check the address",
        ),
        exact=False,
        then="del os.environ['TEMPORAL_API_KEY']\n" + CHECK_CONNECTED,
        then_shows="Temporal configured server at",
    ),
    Case(
        "TLS client key that the server cannot use (the key must not be shown)",
        lambda w: {
            "TEMPORAL_ADDRESS": w.server,
            "TEMPORAL_TLS_CLIENT_CERT_PATH": str(w.tmp / "client.pem"),
            "TEMPORAL_TLS_CLIENT_KEY_PATH": str(w.tmp / "client.key"),
        },
        CHECK_CONNECTED,
        lambda w: (
            f"ServerUnreachableError: Cannot reach the configured server at {w.server} (namespace 'default'): "
        ),
        exact=False,
    ),
    Case(
        "payload over 2 MB on start",
        lambda w: {},
        "client = await connect(quiet=True)\n"
        "await client.start_workflow('GreetingWorkflow', 'x' * 3_000_000, id=scoped('big-start'), "
        "task_queue=scoped('big'))",
        lambda w: (
            "RPCError: The server refused a payload as too large (Blob data size exceeds limit.). Keep payloads "
            "small (the default limit is 2 MB): store big data elsewhere (a file, a bucket) and pass a "
            "reference, such as its path or key."
        ),
    ),
    Case(
        "payload over 2 MB on signal",
        lambda w: {},
        "from temporalio.common import WorkflowIDConflictPolicy\n"
        "client = await connect(quiet=True)\n"
        "h = await client.start_workflow('GreetingWorkflow', 'Ada', id=scoped('big-signal'), "
        "task_queue=scoped('big'), id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)\n"
        "await h.signal('note', 'x' * 3_000_000)",
        lambda w: (
            "RPCError: The server refused a payload as too large (Blob data size exceeds limit.). Keep payloads "
            "small (the default limit is 2 MB): store big data elsewhere (a file, a bucket) and pass a "
            "reference, such as its path or key."
        ),
        then="await h.signal('note', 'small')\nawait h.terminate('test done')\nprint('signalled')",
        then_shows="signalled",
    ),
    Case(
        "an argument that cannot be serialized",
        lambda w: {},
        "class Customer:\n    pass\n\n"
        "client = await connect(quiet=True)\n"
        "await client.start_workflow('GreetingWorkflow', Customer(), id=scoped('obj'), task_queue=scoped('obj'))",
        lambda w: (
            "TypeError: A value cannot be sent to Temporal: Object of type Customer is not JSON serializable. "
            "Arguments and results travel as JSON: use dataclasses or plain values (str, int, float, bool, "
            "list, dict, None), or send the fields you need instead of the object. Nothing was sent to the "
            "server."
        ),
    ),
    Case(
        "a corrupt temporal.db",
        lambda w: {"TEMPORAL_NOTEBOOKS_HOME": str(w.corrupt_home)},
        CHECK_CONNECTED,
        lambda w: (
            f"DevServerError: The local Temporal server cannot open its database {w.corrupt_home / 'temporal.db'}: "
            "the file is damaged (file is not a database (26)). Move it aside (mv "
            f"{w.corrupt_home / 'temporal.db'} {w.corrupt_home / 'temporal.db'}.broken) and re-run this cell: "
            f"the server starts with no workflows. Its log: {w.corrupt_home / 'devserver.log'}"
        ),
        # The line's advice, followed: the server then starts (and is stopped again by the test).
        then="import shutil\nshutil.move(os.path.join(os.environ['TEMPORAL_NOTEBOOKS_HOME'], 'temporal.db'), "
        "os.path.join(os.environ['TEMPORAL_NOTEBOOKS_HOME'], 'temporal.db.broken'))\n" + CHECK_CONNECTED,
        then_shows="Temporal local dev server at",
    ),
    Case(
        "an HTTP server on the Temporal port",
        lambda w: {"TEMPORAL_ADDRESS": f"127.0.0.1:{w.http_port}"},
        CHECK_CONNECTED,
        lambda w: _unreachable(
            f"127.0.0.1:{w.http_port}",
            "something answers on that port, but it is not a Temporal server (a web server?): check the port",
        ),
        exact=False,
    ),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    """A plain web server, where a learner might point TEMPORAL_ADDRESS by mistake."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture
def where(tmp_path: Path, dev_server: devserver.DevServer, http_port: int, notebooks_home: str) -> Where:
    where = Where(tmp_path, dev_server.address, http_port, notebooks_home)
    _files(where)
    return where


@contextlib.asynccontextmanager
async def kernel_with(env: dict[str, str] | None = None) -> AsyncIterator[Kernel]:
    """A real kernel; started again once when it dies at start-up: jupyter_client picks its ZMQ
    ports before the kernel binds them, and on a busy machine another process may take one first
    ("Address already in use"). That race is not what these tests are about."""
    for attempt in (1, 2):
        kernel = Kernel(env=env)
        try:
            await kernel.__aenter__()
        except RuntimeError as exc:
            await kernel.shutdown(now=True)
            if attempt == 2 or "died" not in str(exc):
                raise
            continue
        try:
            yield kernel
        finally:
            await kernel.shutdown()
        return


def shown(result: CellResult) -> list[str]:
    """The lines a learner reads under the cell (colours removed)."""
    return [line for line in ANSI.sub("", result.text).splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_expected_mistake_shows_one_line(
    case: Case, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with kernel_with(case.env(where)) as kernel:
        await kernel.ok(SETUP)
        result = await kernel.run(case.cell)
        assert result.status == "error" and result.error, f"the mistake went unnoticed:\n{result}"
        lines = shown(result)
        expected = case.line(where)
        assert len(lines) == 1, f"expected one line, got:\n{result.text}"
        if case.exact:
            assert lines[0] == expected
        else:
            assert lines[0].startswith(expected), lines[0]
            assert not re.search(r"tonic::|hyper::|Status \{|Custom \{", lines[0]), lines[0]
        assert "Traceback" not in result.text
        # The kernel stays usable (and where the next cell follows the line's advice, it works).
        after = await kernel.ok(case.then.format(home=where.home), timeout=90)
        assert case.then_shows in after
    if case.env(where).get("TEMPORAL_NOTEBOOKS_HOME") == str(where.corrupt_home):
        monkeypatch.setenv(devserver.HOME_ENV, str(where.corrupt_home))
        devserver.stop()  # the server the row's advice started
    outputs = result.text + after
    assert API_KEY not in outputs and TLS_KEY_MATERIAL not in outputs
    for home in (Path(where.home), where.corrupt_home):
        for path in home.rglob("*"):
            if path.is_file() and path.suffix in (".log", ".json", ".txt", ""):
                text = path.read_text(errors="replace")
                assert API_KEY not in text and TLS_KEY_MATERIAL not in text, path


async def test_an_interrupted_cell_says_the_worker_keeps_running(dev_server: devserver.DevServer) -> None:
    async with kernel_with() as kernel:
        await kernel.ok(
            SETUP
            + "from temporal_notebooks.workflows.greeting import GreetingWorkflow\n"
            + "client = await connect(quiet=True)\n"
            + "worker = await start_worker(client, scoped('interrupt'), workflows=[GreetingWorkflow])"
        )
        msg_id = kernel.client.execute(
            "import asyncio\nprint('waiting', flush=True)\nawait asyncio.sleep(120)"
        )
        # Interrupt once the cell's code runs (its first output), as a learner's Kernel > Interrupt does.
        while True:
            msg = await kernel.client.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                break
        await kernel.manager.interrupt_kernel()
        lines, status = [], None
        while status is None:
            msg = await kernel.client.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                lines += [ANSI.sub("", line) for line in msg["content"]["traceback"]]
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                status = "idle"
        assert lines == [
            "KeyboardInterrupt: Interrupted this cell only: this notebook's worker for 'tester.interrupt' keeps "
            "running in the background (and so do workflows on the server). To stop it: await stop_all_workers()."
        ]
        assert "True" in await kernel.ok("print(worker.running)")  # it did keep running
        await kernel.ok("await stop_all_workers()")


async def test_a_second_kernel_of_the_same_learner_on_one_task_queue_is_told(
    dev_server: devserver.DevServer,
) -> None:
    start = (
        SETUP
        + "from temporal_notebooks.workflows.greeting import GreetingWorkflow\n"
        + "client = await connect(quiet=True)\n"
        + "worker = await start_worker(client, scoped('collide'), workflows=[GreetingWorkflow])"
    )
    async with kernel_with() as first, kernel_with() as second:
        assert "Another kernel" not in await first.ok(start)
        assert "Another kernel" not in await first.ok(start)  # re-running one's own worker cell: no word
        told = [line for line in shown(await second.run(start)) if not line.startswith("HTML(")]
        assert told == [
            f"⚠ Another kernel of yours (kernel pid {first.pid}) also runs a worker on task queue "
            "'tester.collide': the two share its tasks, and a start with TERMINATE_EXISTING in one ends the "
            "other's run. If this notebook is open twice, shut down the other kernel (or run await "
            "stop_all_workers() there)."
        ], told
        await first.shutdown()
        # The other kernel is gone: its poller may linger on the server, but no warning any more.
        assert "Another kernel" not in await second.ok(start)
        await second.ok("await stop_all_workers()")


async def test_a_generic_account_on_a_shared_server_is_warned(dev_server: devserver.DevServer) -> None:
    generic = {"TEMPORAL_NOTEBOOKS_LEARNER": "", "USER": "jovyan", "LOGNAME": "jovyan"}
    async with kernel_with({**generic, "TEMPORAL_ADDRESS": dev_server.address}) as kernel:
        lines = shown(await kernel.run(SETUP + CHECK_CONNECTED))
        assert lines[0] == (
            "⚠ Your learner id is 'jovyan', an account name many people share: on this shared server "
            "classmates with the same account would see and replace each other's workflows. Put `%env "
            "TEMPORAL_NOTEBOOKS_LEARNER=your-name` at the top of the first cell (or ask your instructor to set "
            "it for you) and run the notebook again."
        )
        assert lines[1].startswith("Temporal configured server at")
        assert "⚠" not in await kernel.ok(CHECK_CONNECTED)  # once per kernel
    async with kernel_with(generic) as kernel:  # one's own local server: nobody to collide with
        assert "⚠" not in await kernel.ok(SETUP + CHECK_CONNECTED)
