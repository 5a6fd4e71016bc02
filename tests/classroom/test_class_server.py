"""``temporal-notebooks class-server``: the class's shared server started for real (temp state dir,
free ports), with the lessons' tuned settings; its printed hub configuration works when pasted;
the smoke test and the instructor view run against it; it refuses a taken port; it stops."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import PollerBehaviorSimpleMaximum
from traitlets.config import Config

from temporal_notebooks.activities.greeting import compose_greeting
from temporal_notebooks.classroom import SMOKE_LEARNER, ClassView
from temporal_notebooks.classroom.class_server import ClassServer
from temporal_notebooks.runtime import start_worker, stop_all_workers
from temporal_notebooks.runtime.connection import UI_URL_ENV
from temporal_notebooks.workflows.greeting import GreetingWorkflow

NAMESPACE = f"workshop-{uuid.uuid4().hex[:6]}"
UI_PATH = "/services/temporal-ui"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "temporal_notebooks", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class ClassServerRun:
    def __init__(self, state_dir: Path, port: int, ui_port: int, started: subprocess.CompletedProcess):
        self.state_dir, self.port, self.ui_port, self.started = state_dir, port, ui_port, started
        self.metrics_port = 0

    @property
    def options(self) -> list[str]:
        return ["--state-dir", str(self.state_dir)]

    @property
    def record(self) -> dict:
        return json.loads((self.state_dir / "class-server.json").read_text())

    def hub_env(self) -> dict[str, str]:
        """What a learner's kernel gets from the printed ``c.Spawner.environment`` lines."""
        return pasted_config(self.started.stdout).Spawner.environment.get_value({})


def pasted_config(stdout: str) -> Config:
    """Run the printed lines as jupyterhub_config.py runs them: against a traitlets Config ``c``."""
    lines = stdout.split("Paste into jupyterhub_config.py", 1)[1].split("\n", 2)[2]
    snippet = lines.split("\n\nThen check it", 1)[0]
    c = Config()
    exec(compile(snippet, "jupyterhub_config.py", "exec"), {"c": c})  # noqa: S102
    return c


@pytest.fixture(scope="module")
def class_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassServerRun]:
    state_dir = tmp_path_factory.mktemp("class-server")
    port, ui_port, metrics_port = free_port(), free_port(), free_port()
    started = cli(
        "class-server", "start", "--port", str(port), "--ui-port", str(ui_port), "--namespace", NAMESPACE,
        "--state-dir", str(state_dir), "--metrics-port", str(metrics_port),
        # Tuning from the command line: a class default changed, a setting and a pragma added.
        "--dynamic-config-value", "history.transferProcessorMaxPollRPS=500",
        "--dynamic-config-value", "system.enableActivityEagerExecution=true",
        "--sqlite-pragma", "cache_size=-16000",
    )  # fmt: skip
    run = ClassServerRun(state_dir, port, ui_port, started)
    run.metrics_port = metrics_port
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield run
    finally:
        cli("class-server", "stop", *run.options)


def cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def test_start_runs_the_tuned_server_and_prints_the_hub_configuration(class_server: ClassServerRun) -> None:
    out = class_server.started.stdout
    assert out.startswith("Started. Class server running: pid ")
    assert f"namespace '{NAMESPACE}'" in out and f"Learners connect to 127.0.0.1:{class_server.port}" in out

    # The server runs detached with the same tuned flags as a learner's own server.
    record = class_server.record
    command = cmdline(record["pid"])
    for flag in (
        "--ui-disable-news-fetch",
        'history.timerProcessorMaxTimeShift="10ms"',
        "journal_mode=wal",
        "synchronous=normal",
    ):
        assert flag in command, command
    pairs = dict(zip(command, command[1:], strict=False))
    assert pairs["--ip"] == "127.0.0.1" and pairs["--port"] == str(class_server.port)
    assert pairs["--namespace"] == NAMESPACE and pairs["--ui-public-path"] == UI_PATH
    assert os.getsid(record["pid"]) != os.getsid(0), "detached: its own session"

    # The printed lines, pasted into a jupyterhub_config.py, give every kernel the class's server ...
    c = pasted_config(out)
    assert c.Spawner.environment.get_value({"KEPT": "1"}) == {
        "KEPT": "1",  # what the file set before is kept
        "TEMPORAL_ADDRESS": f"127.0.0.1:{class_server.port}",
        "TEMPORAL_NAMESPACE": NAMESPACE,
        UI_URL_ENV: UI_PATH,
    }
    # ... and route the hub's /services/temporal-ui/ to the UI, which serves that very path.
    assert c.JupyterHub.services.get_value([{"name": "kept"}]) == [
        {"name": "kept"},
        {"name": "temporal-ui", "url": f"http://127.0.0.1:{class_server.ui_port}"},
    ]
    base = f"http://127.0.0.1:{class_server.ui_port}{UI_PATH}"
    with urllib.request.urlopen(f"{base}/api/v1/namespaces/{NAMESPACE}", timeout=10) as response:
        assert response.status == 200 and NAMESPACE in response.read().decode()
    with urllib.request.urlopen(f"{base}/namespaces/{NAMESPACE}/workflows", timeout=10) as response:
        page = response.read().decode()
    assets = re.findall(r'href="([^"]+\.js)"', page)
    assert assets and all(a.startswith(f"{UI_PATH}/_app/") for a in assets)


def test_class_settings_and_tuning_reach_the_server_and_its_metrics_answer(
    class_server: ClassServerRun,
) -> None:
    command = cmdline(class_server.record["pid"])
    pairs = list(zip(command, command[1:], strict=False))
    dynamic = [value for flag, value in pairs if flag == "--dynamic-config-value"]
    pragmas = [value for flag, value in pairs if flag == "--sqlite-pragma"]
    # The class's own settings, the lessons' settings, and what the command line changed: each once.
    assert [v for v in dynamic if v.startswith("matching.numTaskqueue")] == [
        "matching.numTaskqueueReadPartitions=1",
        "matching.numTaskqueueWritePartitions=1",
    ]
    assert 'history.timerProcessorMaxTimeShift="10ms"' in dynamic
    assert "system.enableActivityEagerExecution=true" in dynamic
    # Given on the command line, over the class's 1000 (workflow tasks read as they come).
    assert [v for v in dynamic if v.startswith("history.transferProcessorMaxPollRPS")] == [
        "history.transferProcessorMaxPollRPS=500"
    ]
    assert len({v.partition("=")[0] for v in dynamic}) == len(dynamic)
    assert pragmas == ["journal_mode=wal", "synchronous=normal", "cache_size=-16000"]

    # Its metrics are where start said, for an instructor's dashboard (or the capacity benchmark).
    url = f"http://127.0.0.1:{class_server.metrics_port}/metrics"
    assert f"Server metrics (Prometheus): {url}" in class_server.started.stdout
    assert ("--metrics-port", str(class_server.metrics_port)) in pairs
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    assert response.status == 200 and "service_requests{" in text and "persistence_latency_sum{" in text
    status = cli("class-server", "status", *class_server.options)
    assert f"Metrics at {url}." in status.stdout


def test_start_again_status_and_a_taken_port(class_server: ClassServerRun, tmp_path: Path) -> None:
    again = cli("class-server", "start", *class_server.options)
    assert again.returncode == 0 and again.stdout.startswith("Already running.")
    assert f"pid {class_server.record['pid']}," in again.stdout
    assert f'"TEMPORAL_NAMESPACE": "{NAMESPACE}"' in again.stdout  # the lines again, for the record

    status = cli("class-server", "status", *class_server.options)
    assert status.returncode == 0 and status.stdout.startswith("Class server running:")

    # A second class server cannot take the first one's port: it says so and starts nothing.
    other = cli(
        "class-server", "start", "--port", str(class_server.port), "--ui-port", str(free_port()),
        "--state-dir", str(tmp_path),
    )  # fmt: skip
    assert other.returncode == 2
    refused = f"class-server start FAILED: Cannot listen on 127.0.0.1:{class_server.port}"
    assert other.stdout.startswith(refused)
    assert "--port" in other.stdout and "Traceback" not in other.stdout + other.stderr
    assert not (tmp_path / "class-server.json").exists()


def test_smoke_passes_against_the_class_server_with_the_pasted_settings(class_server: ClassServerRun) -> None:
    # Some lessons (the whole list is test_smoke.py's): enough to show the pasted settings work.
    smoke = cli("smoke", "01", "06", "08", env=class_server.hub_env(), timeout=240)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    first = smoke.stdout.splitlines()[0]
    assert f"configured server at 127.0.0.1:{class_server.port}, namespace '{NAMESPACE}'" in first
    assert f"Web UI: {UI_PATH}" in first
    assert smoke.stdout.splitlines()[-1].startswith("Smoke test passed:")


def pending_polls(metrics_url: str, task_queue: str) -> dict[str, float]:
    """The polls the server holds for ``task_queue``, by kind of task and partition (its metrics)."""
    with urllib.request.urlopen(metrics_url, timeout=10) as response:
        text = response.read().decode()
    polls: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("pending_polls{") and f'taskqueue="{task_queue}"' in line:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
            polls[f"{labels['task_type']} {labels['partition']}"] = float(line.rsplit(" ", 1)[1])
    return polls


async def settled_polls(metrics_url: str, task_queue: str, want: dict[str, float]) -> dict[str, float]:
    """The task queue's polls once they are ``want`` (or whatever they are after 15 s)."""
    deadline = time.monotonic() + 15
    while (polls := pending_polls(metrics_url, task_queue)) != want and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return polls


async def test_a_learners_worker_keeps_four_polls_in_the_class_server(class_server: ClassServerRun) -> None:
    """A class server holds every learner's waiting polls. A kernel's worker keeps two per kind of
    task (workflow: its task queue and its sticky queue), where the SDK's default keeps five: at 150
    learners that is 600 polls against 1 500, and a quarter less server memory (docs/classroom.md)."""
    url = f"http://127.0.0.1:{class_server.metrics_port}/metrics"
    client = await Client.connect(f"127.0.0.1:{class_server.port}", namespace=NAMESPACE)
    lesson = {"workflows": [GreetingWorkflow], "activities": [compose_greeting], "show_status": False}
    sdk_default = {
        "workflow_task_poller_behavior": PollerBehaviorSimpleMaximum(5),
        "activity_task_poller_behavior": PollerBehaviorSimpleMaximum(5),
    }
    cases = [({}, {"Workflow 0": 1, "Workflow __sticky__": 1, "Activity 0": 2})]
    cases.append((sdk_default, {"Workflow 0": 1, "Workflow __sticky__": 4, "Activity 0": 5}))
    for options, want in cases:
        task_queue = f"polls_{uuid.uuid4().hex[:8]}"  # as the metrics spell it ("-" would be "_")
        await start_worker(client, task_queue, **lesson, **options)
        try:
            greeting = await client.execute_workflow(
                GreetingWorkflow.run, "Ada", id=f"{task_queue}-greeting", task_queue=task_queue
            )
            assert greeting == "Hello, Ada!"  # the worker runs the lesson with these polls
            assert await settled_polls(url, task_queue, want) == want
        finally:
            await stop_all_workers()
        # A stopped worker's polls leave the server with it.
        gone = {kind: 0.0 for kind in want}
        assert await settled_polls(url, task_queue, gone) == gone


async def test_instructor_view_then_the_class_server_stops(class_server: ClassServerRun) -> None:
    """After the smoke test: its runs are not a learner. Then the server goes away mid-class: the
    refresh says so within its timeout and keeps the last table."""
    client = await Client.connect(f"127.0.0.1:{class_server.port}", namespace=NAMESPACE)
    view = ClassView(client, timeout_s=4)
    status = await view.refresh()
    assert status is not None and view.problem is None
    assert SMOKE_LEARNER not in status.learners
    assert len(status.smoke_runs) >= 3  # one per lesson with a smoke run, and the exercise checks
    assert "smoke test:" in status.summary() and "not counted as a learner" in status.summary()

    stopped = cli("class-server", "stop", *class_server.options)
    assert stopped.returncode == 0 and stopped.stdout.startswith("Stopped the class server (pid ")
    table = view.output.value
    assert await view.refresh() is None
    assert view.problem is not None and view.problem.startswith("Refresh failed")
    assert f"127.0.0.1:{class_server.port}" in view.problem and f"namespace '{NAMESPACE}'" in view.problem
    assert "Fetching" not in view.line.value and "Refresh failed" in view.line.value
    assert "the status fetched at" in view.line.value
    assert view.output.value == table  # the last good table stays

    status = cli("class-server", "status", *class_server.options)
    assert status.returncode == 1 and status.stdout.startswith("No class server runs")
    assert not (class_server.state_dir / "class-server.json").exists()


def test_hub_lines_for_every_interface_and_a_ui_at_its_port_root() -> None:
    """Listening on every interface, learners' servers need this machine's name; a UI not behind the
    hub (no public path) is linked at its own port, and no hub service is added."""
    record = ClassServer(
        pid=1, binary="temporal", listen="0.0.0.0", port=7233, ui_port=8233, namespace="class",
        ui_public_path="", advertise="temporal.class.internal", state_dir="/x", log_file="/x/l",
        db_file="/x/d",
    )  # fmt: skip
    assert record.local_host == "127.0.0.1"
    c = pasted_config(f"Paste into jupyterhub_config.py (...):\n\n{record.hub_config()}\n\nThen check it")
    assert c.Spawner.environment.get_value({}) == {
        "TEMPORAL_ADDRESS": "temporal.class.internal:7233",
        "TEMPORAL_NAMESPACE": "class",
        UI_URL_ENV: "http://temporal.class.internal:8233",
    }
    assert "services" not in c.JupyterHub


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--dynamic-config-value", "frontend.rps=lots", "the value is not JSON"),
        ("--dynamic-config-value", "history.timerProcessorMaxTimeShift=10ms", "a string needs quotes"),
        ("--dynamic-config-value", "frontend.rps", "expected KEY=VALUE"),
        ("--dynamic-config-value", "front end=1", "not a setting's name"),
        ("--sqlite-pragma", "journal_mode=wal; drop table x", "a plain value"),
    ],
)
def test_a_wrong_tuning_value_is_one_line_and_starts_nothing(
    option: str, value: str, says: str, tmp_path: Path
) -> None:
    started = cli(
        "class-server", "start", "--port", str(free_port()), "--ui-port", str(free_port()),
        "--state-dir", str(tmp_path), option, value,
    )  # fmt: skip
    assert started.returncode == 2, started.stdout + started.stderr
    assert started.stdout.startswith(f"class-server start FAILED: {option} {value!r}: expected KEY=VALUE")
    assert says in started.stdout and len(started.stdout.strip().splitlines()) == 1
    assert "Traceback" not in started.stdout + started.stderr
    assert not (tmp_path / "class-server.json").exists() and not (tmp_path / "class-server.log").exists()
