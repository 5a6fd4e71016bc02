"""The collection's Jupyter server extension: kernel messages reach the page without Nagle's wait.

Without it, each widget answer waited about 40 ms for the browser's delayed acknowledgement
(``benchmarks/browser_click_latency.py`` measures the effect; tests do not time things).
"""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from browser_harness import JupyterLab
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from temporal_notebooks import server_extension

LOADED = "kernel messages go to the page without delay (TCP_NODELAY)"


def test_the_set_up_enables_the_extension() -> None:
    """What `make lab`, postBuild and pip install put in place is what Jupyter reads."""
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"], capture_output=True, text=True
    )
    text = listing.stdout + listing.stderr
    lines = [line for line in text.splitlines() if "temporal_notebooks.server_extension" in line]
    assert any("enabled" in line for line in lines), text
    assert any("OK" in line for line in lines), text


def test_jupyterlab_sends_kernel_messages_without_delay(jupyterlab: JupyterLab) -> None:
    log = jupyterlab.log_file.read_text(errors="replace")
    assert LOADED in log, jupyterlab.log_tail()
    assert "temporal_notebooks.server_extension | extension was successfully loaded" in log


def _server_app(connection_class: type | None) -> SimpleNamespace:
    settings = {} if connection_class is None else {server_extension.SETTING: connection_class}
    log = SimpleNamespace(info=lambda *args: None)
    return SimpleNamespace(web_app=SimpleNamespace(settings=settings), log=log)


def test_the_standard_connection_is_replaced_and_a_custom_one_kept() -> None:
    for given in (None, ZMQChannelsWebsocketConnection):
        app = _server_app(given)
        server_extension._load_jupyter_server_extension(app)
        assert app.web_app.settings[server_extension.SETTING] is server_extension.NoDelayKernelConnection

    class HubConnection(ZMQChannelsWebsocketConnection):
        pass

    app = _server_app(HubConnection)
    server_extension._load_jupyter_server_extension(app)
    assert app.web_app.settings[server_extension.SETTING] is HubConnection
