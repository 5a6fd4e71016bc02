"""The Web UI through Jupyter: on JupyterHub the browser reaches only Jupyter's port, so the local dev
server's UI is served at ``<prefix>proxy/absolute/<ui port>`` by jupyter-server-proxy, and the
notebooks link there. A real Jupyter server and a real dev server, on loopback only."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PREFIX = "/user/ada/"
TOKEN = "tn-proxy-test-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


_no_redirects = urllib.request.build_opener(_NoRedirect)


@pytest.fixture
def jupyter_server(tmp_path: Path) -> Iterator[str]:
    """A Jupyter server as JupyterHub runs it for user "ada": base URL /user/ada/, loopback only."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
         f"--ServerApp.base_url={PREFIX}", f"--IdentityProvider.token={TOKEN}", "--allow-root",
         f"--ServerApp.root_dir={tmp_path}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}{PREFIX}api/status")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the Jupyter server did not start within 60 s")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_web_ui_works_through_jupyter_server_proxy(jupyter_server: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TEMPORAL_NOTEBOOKS_HOME": str(tmp_path / "home"),  # a dev server of this test's own
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        "JUPYTERHUB_USER": "ada",
    }
    cli = [sys.executable, "-m", "temporal_notebooks", "server"]
    started = subprocess.run([*cli, "start"], env=env, capture_output=True, text=True, timeout=60)
    try:
        assert started.returncode == 0, started.stderr
        record = json.loads((tmp_path / "home" / "devserver.json").read_text())
        ui_path = f"{PREFIX}proxy/absolute/{record['ui_port']}"
        assert record["ui_public_path"] == ui_path
        # The notebooks' link is the proxied path (relative: the browser is already on the hub's host).
        assert started.stdout.strip().endswith(f"Web UI: {ui_path}")

        # The UI comes up a moment after the server's gRPC port (which is all the notebooks wait for).
        deadline = time.monotonic() + 20
        while _get(f"{jupyter_server}{ui_path}/api/v1/namespaces")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        # The UI page through Jupyter: its scripts are referenced under the same proxied path ...
        status, page = _get(f"{jupyter_server}{ui_path}/namespaces/default/workflows")
        assert status == 200 and "_app/immutable" in page
        assets = re.findall(r'href="([^"]+\.js)"', page)
        assert assets and all(a.startswith(f"{ui_path}/_app/") for a in assets)
        # ... and they load, as does the API the page calls.
        assert _get(f"{jupyter_server}{assets[0]}")[0] == 200
        status, body = _get(f"{jupyter_server}{ui_path}/api/v1/namespaces")
        assert status == 200 and '"default"' in body
        # Without Jupyter's login the proxy sends the browser to the login page: the UI is no more
        # open than the notebooks are.
        with pytest.raises(urllib.error.HTTPError) as refused:
            _no_redirects.open(f"{jupyter_server}{ui_path}/api/v1/namespaces", timeout=10)
        assert refused.value.code == 302
        assert f"{PREFIX}login" in refused.value.headers["Location"]
    finally:
        subprocess.run([*cli, "stop"], env=env, capture_output=True, timeout=30)
