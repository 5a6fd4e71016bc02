"""Which Temporal server a notebook talks to, and the client it uses.

The standard Temporal client config wins: ``TEMPORAL_ADDRESS`` / ``TEMPORAL_NAMESPACE`` /
``TEMPORAL_API_KEY`` / ``TEMPORAL_TLS*`` or a ``temporalio.envconfig`` profile. That is how a class
shares one cluster or Temporal Cloud, and then nothing is started here. Otherwise the per-user
local dev server is started (or reused).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
from urllib.parse import quote

from temporalio.client import Client
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)

from . import devserver
from .config import checked_connect_args
from .errors import ServerUnreachableError, connect_failure_reason
from .results import WatchResultsInterceptor

CONNECT_TIMEOUT_S = 10.0
UI_URL_ENV = "TEMPORAL_NOTEBOOKS_UI_URL"


@dataclasses.dataclass(frozen=True)
class ServerInfo:
    """Where the notebooks' server is; never holds secrets, so it is safe to print."""

    address: str
    namespace: str
    local: bool
    ui_url: str | None
    tls: bool = False
    api_key_set: bool = False

    def describe(self) -> str:
        kind = "local dev server" if self.local else "configured server"
        extras = [x for x in ("TLS" if self.tls else "", "API key" if self.api_key_set else "") if x]
        suffix = f" ({', '.join(extras)})" if extras else ""
        ui = self.ui_url or "no Web UI link known (set TEMPORAL_NOTEBOOKS_UI_URL)"
        return f"Temporal {kind} at {self.address}, namespace '{self.namespace}'{suffix}. Web UI: {ui}"

    def workflow_url(self, workflow_id: str, run_id: str | None = None) -> str | None:
        """Link to a workflow run in the Web UI."""
        if not self.ui_url:
            return None
        url = f"{self.ui_url}/namespaces/{quote(self.namespace)}/workflows/{quote(workflow_id, '')}"
        return f"{url}/{run_id}/history" if run_id else url


_client: Client | None = None
_client_loop: asyncio.AbstractEventLoop | None = None
_info: ServerInfo | None = None


@functools.cache
def notebook_runtime() -> Runtime:
    """The SDK core's own logs go to Python logging (and so to the worker's status line),
    not to the kernel's raw stderr; its warnings repeat what the Python worker already reports."""
    logger = logging.getLogger("temporalio.worker.core")
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"),
                forwarding=LogForwardingConfig(logger=logger),
            )
        )
    )


def configured_connect_args() -> dict:
    """``Client.connect`` kwargs from the standard Temporal config; empty when nothing is set."""
    return checked_connect_args()  # one line per wrong setting, instead of an SDK traceback


def _configured_ui_url(address: str, namespace: str) -> str | None:
    if os.environ.get(UI_URL_ENV):
        return os.environ[UI_URL_ENV].rstrip("/")
    if address.endswith(".tmprl.cloud:7233") or ".api.temporal.io" in address:
        return "https://cloud.temporal.io"
    return None


def server_info() -> ServerInfo:
    """Where the notebooks connect, starting the local dev server when nothing is configured."""
    args = configured_connect_args()
    if args.get("target_host"):
        address = args["target_host"]
        namespace = args.get("namespace") or "default"
        return ServerInfo(
            address=address,
            namespace=namespace,
            local=False,
            ui_url=_configured_ui_url(address, namespace),
            tls=bool(args.get("tls")),
            api_key_set=bool(args.get("api_key")),
        )
    server = devserver.ensure_running()
    ui_url = os.environ.get(UI_URL_ENV, "").rstrip("/") or server.browser_ui_url
    return ServerInfo(server.address, "default", True, ui_url)


def client_connect_args(info: ServerInfo | None = None) -> dict:
    """``Client.connect`` kwargs for the notebooks' server: the standard config, else the dev server.

    Scripts (a worker or starter run from a terminal) use this too, so they reach the same server.
    """
    info = info or server_info()
    args = configured_connect_args() if not info.local else {}
    args.update(target_host=info.address, namespace=info.namespace)
    return args


async def connect(*, quiet: bool = False) -> Client:
    """The kernel's Temporal client (made once, reused by every later call in the same kernel)."""
    global _client, _client_loop, _info
    loop = asyncio.get_running_loop()
    if _client is not None and _client_loop is loop and _info is not None:
        if not quiet:
            print(_info.describe())
        return _client
    info = await asyncio.to_thread(server_info)
    args = client_connect_args(info)
    args["interceptors"] = [*args.get("interceptors", []), WatchResultsInterceptor()]
    args.setdefault("runtime", notebook_runtime())
    # Also for what a lesson makes without a client (a Replayer, a plain Worker's replays): otherwise
    # the SDK's default runtime prints raw core warnings into the notebook.
    Runtime.set_default(notebook_runtime(), error_if_already_set=False)
    try:
        client = await asyncio.wait_for(connect_when_ready(args, local=info.local), CONNECT_TIMEOUT_S)
    except (TimeoutError, RuntimeError, OSError) as exc:
        reason = connect_failure_reason(exc, tls=bool(args.get("tls")), api_key=bool(args.get("api_key")))
        where = "the local dev server" if info.local else "the configured server"
        raise ServerUnreachableError(
            f"Cannot reach {where} at {info.address} (namespace '{info.namespace}'): {reason}. "
            + (
                "Check TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TLS / API key settings (or unset "
                "TEMPORAL_ADDRESS to use the local dev server), then re-run this cell."
                if not info.local
                else "Run `python -m temporal_notebooks server status` in a terminal, then re-run this cell."
            )
        ) from None
    _client, _client_loop, _info = client, loop, info
    if not quiet:
        print(info.describe())
    return client


async def connect_when_ready(args: dict, *, local: bool) -> Client:
    """``Client.connect``, retried while a server is still starting ("Frontend is not healthy yet";
    for the local server also a refused connection). The caller bounds the total time."""
    while True:
        try:
            return await Client.connect(**args)
        except RuntimeError as exc:
            text = str(exc).lower()
            starting = "not healthy" in text or (local and "refused" in text)
            if not starting:
                raise
        await asyncio.sleep(0.05)


def current_info() -> ServerInfo:
    """The server of the last ``connect()`` (or the one it would use)."""
    return _info or server_info()


def _short(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("ConnectionRefused", "Connection refused", "dns error", "timed out"):
        if marker.lower() in text.lower():
            return marker.lower().replace("connectionrefused", "connection refused")
    return text.split("\n")[0][:160]
