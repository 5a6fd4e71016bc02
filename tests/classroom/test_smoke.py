"""``python -m temporal_notebooks smoke``: passes on a working server, says clearly when it cannot
reach one, and never prints a secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from temporalio.client import Client

from temporal_notebooks.classroom import LESSONS, SMOKE_LEARNER, exercise_solutions
from temporal_notebooks.runtime.connection import server_info

SECRET = "tn-test-secret-api-key-5f2c9e"


def smoke(extra_env: dict[str, str], *args: str, timeout: float = 120) -> tuple[int, str, str, float]:
    env = {**os.environ, **extra_env}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "temporal_notebooks", "smoke", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_smoke_passes_against_the_configured_server(dev_server, client: Client) -> None:
    code, out, err, _ = smoke({"TEMPORAL_ADDRESS": dev_server.address})
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].startswith(f"Temporal Notebooks smoke test as learner '{SMOKE_LEARNER}'")
    assert f"configured server at {dev_server.address}" in lines[0]
    for lesson in LESSONS:
        if lesson.smoke is not None:
            assert any(line.startswith(f"  ok    {lesson.number} {lesson.title}") for line in lines), out
    for number in exercise_solutions():
        assert any(line.startswith(f"  ok    {number} exercise check") for line in lines), out
    assert any(line.startswith("  ok    instructor view") for line in lines), out
    assert lines[-1].startswith("Smoke test passed:")
    assert "Traceback" not in out + err
    # It leaves nothing running on the class's server.
    still_open = [
        w.id
        async for w in client.list_workflows(
            f'WorkflowId STARTS_WITH "{SMOKE_LEARNER}." AND ExecutionStatus = "Running"'
        )
    ]
    assert still_open == []


def test_smoke_uses_the_local_dev_server_when_nothing_is_configured(dev_server) -> None:
    code, out, err, _ = smoke({}, "01")
    assert code == 0, out + err
    assert f"local dev server at {dev_server.address}" in out
    assert "  ok    01 Workflow basics" in out
    others = [lesson for lesson in LESSONS if lesson.smoke is not None and lesson.number != "01"]
    assert others and not any(f"{lesson.number} {lesson.title}" in out for lesson in others), out  # only 01


def test_smoke_fails_with_one_clear_line_when_the_server_is_unreachable() -> None:
    port = closed_port()
    code, out, err, took = smoke({"TEMPORAL_ADDRESS": f"127.0.0.1:{port}", "TEMPORAL_API_KEY": SECRET})
    assert code != 0
    assert out.splitlines() == [out.strip()], out  # exactly one line
    assert out.startswith(f"Smoke test FAILED: Cannot reach the configured server at 127.0.0.1:{port}")
    assert "TEMPORAL_ADDRESS" in out
    assert SECRET not in out + err
    assert "Traceback" not in err


def test_smoke_gives_up_on_a_server_that_never_answers(silent_port: int) -> None:
    code, out, err, took = smoke({"TEMPORAL_ADDRESS": f"127.0.0.1:{silent_port}"})
    assert code != 0
    assert out.strip() == (
        f"Smoke test FAILED: no answer from the Temporal server at 127.0.0.1:{silent_port} within 6 s "
        "(check TEMPORAL_ADDRESS, TLS and API key settings)."
    )


def test_server_description_never_holds_the_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:7999")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "class-ns")
    monkeypatch.setenv("TEMPORAL_API_KEY", SECRET)
    info = server_info()
    assert info.api_key_set and info.tls  # an API key turns TLS on
    for text in (info.describe(), repr(info), str(info)):
        assert SECRET not in text
    assert info.describe() == (
        "Temporal configured server at 127.0.0.1:7999, namespace 'class-ns' (TLS, API key). "
        "Web UI: no Web UI link known (set TEMPORAL_NOTEBOOKS_UI_URL)"
    )
