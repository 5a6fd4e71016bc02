"""Which server a kernel uses: the standard Temporal config when set, else the local dev server."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
from kernel import Kernel

from temporal_notebooks.runtime import devserver
from temporal_notebooks.runtime.connection import ServerInfo

CONNECT = "from temporal_notebooks.notebook import *\nclient = await connect()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def separate_server(tmp_path):
    """A dev server started by hand, the way a class's shared server would be: not ours."""
    port = _free_port()
    process = subprocess.Popen(
        [devserver.find_binary(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port),
         "--headless", "--log-level", "error", "--db-filename", str(tmp_path / "separate.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


async def test_temporal_address_is_used_and_no_local_server_starts(separate_server: str, tmp_path) -> None:
    home = tmp_path / "fresh-home"
    env = {"TEMPORAL_ADDRESS": separate_server, "TEMPORAL_NOTEBOOKS_HOME": str(home)}
    async with Kernel(env=env) as kernel:
        line = await kernel.ok(CONNECT)
        run = await kernel.ok(
            "from temporal_notebooks.workflows.greeting import GreetingWorkflow\n"
            "from temporal_notebooks.activities.greeting import compose_greeting\n"
            "await start_worker(client, scoped('configured'), workflows=[GreetingWorkflow], "
            "activities=[compose_greeting], show_status=False)\n"
            "print(await client.execute_workflow(GreetingWorkflow.run, 'Cloud', id=scoped('configured'), "
            "task_queue=scoped('configured')))"
        )
    assert f"configured server at {separate_server}" in line, line
    assert "Hello, Cloud!" in run
    assert not (home / "devserver.json").exists(), "no local dev server may start"
    assert (
        "start-dev" not in subprocess.run(["pgrep", "-af", str(home)], capture_output=True, text=True).stdout
    )


@pytest.mark.parametrize("kind", ["refused", "silent"])
async def test_an_unreachable_configured_server_fails_fast_with_one_clear_line(kind: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        if kind == "silent":
            listener.listen()  # accepts TCP, never answers gRPC
        else:
            listener.close()
        async with Kernel(env={"TEMPORAL_ADDRESS": f"127.0.0.1:{port}"}) as kernel:
            # Not a hang: the cell ends on its own (connect() gives up after CONNECT_TIMEOUT_S); the
            # bound here is generous for a busy machine, and speed is for benchmarks, not tests.
            result = await kernel.run(CONNECT, timeout=60)
    assert result.status == "error"
    assert ("no answer" if kind == "silent" else "refused") in result.error, result.error
    assert result.error.startswith("ServerUnreachableError: Cannot reach the configured server at 127.0.0.1:")
    assert "TEMPORAL_ADDRESS" in result.error
    assert len(result.text.strip().splitlines()) == 1, f"one line, not a traceback:\n{result.text}"


def test_server_info_never_prints_secrets() -> None:
    info = ServerInfo("ns.acct.tmprl.cloud:7233", "ns.acct", False, "https://cloud.temporal.io", True, True)
    text = info.describe()
    assert "API key" in text and "TLS" in text
    assert "secret" not in text.lower()


async def test_api_key_from_the_environment_is_not_shown(separate_server: str) -> None:
    env = {"TEMPORAL_ADDRESS": separate_server, "TEMPORAL_API_KEY": "sk-very-secret-123"}
    async with Kernel(env=env) as kernel:
        result = await kernel.run(CONNECT + "\nprint(current_info())", timeout=30)
    assert "sk-very-secret-123" not in result.text
    # An API key turns on TLS, which this plain local server does not speak: one clear line, no secret.
    assert result.status == "error" or "API key" in result.text


async def test_connect_is_reused_within_a_kernel(dev_server: devserver.DevServer) -> None:
    async with Kernel() as kernel:
        await kernel.ok(CONNECT)
        same = await kernel.ok("client2 = await connect(quiet=True)\nprint(client2 is client)")
    assert same.strip() == "True"
