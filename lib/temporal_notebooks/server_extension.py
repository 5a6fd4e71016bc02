"""A Jupyter server extension: kernel messages reach the page without Nagle's 40 ms wait.

jupyter_server leaves Nagle's algorithm on for the kernel's websocket. A widget answer is a few small
messages in a row (status busy, the new value, status idle); the second one waits until the browser
acknowledges the first, and browsers delay that acknowledgement by about 40 ms. Every click on a lesson
widget then took about 50 ms where 10–15 ms is the real round trip (measured with
``benchmarks/browser_click_latency.py``). Setting ``TCP_NODELAY`` on the socket sends each message at once.

Enabled by ``jupyter-settings/temporal-notebooks-server.json`` in
``<prefix>/etc/jupyter/jupyter_server_config.d/`` (``make lab``, ``postBuild`` and ``pip install`` put it
there). A server configured with a connection class of its own keeps it.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

SETTING = "kernel_websocket_connection_class"


class NoDelayKernelConnection(ZMQChannelsWebsocketConnection):
    """The standard kernel websocket connection, with ``TCP_NODELAY`` set on its socket."""

    def connect(self) -> Any:
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "temporal_notebooks.server_extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    settings = serverapp.web_app.settings
    if settings.get(SETTING) in (None, ZMQChannelsWebsocketConnection):
        settings[SETTING] = NoDelayKernelConnection
        serverapp.log.info("Temporal Notebooks: kernel messages go to the page without delay (TCP_NODELAY)")
    else:
        serverapp.log.info("Temporal Notebooks: kept the server's own kernel websocket connection class")
