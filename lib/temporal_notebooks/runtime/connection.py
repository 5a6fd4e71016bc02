"""Which Temporal server a notebook talks to, and the client it uses.

The standard Temporal client config wins: ``TEMPORAL_ADDRESS`` / ``TEMPORAL_NAMESPACE`` /
``TEMPORAL_API_KEY`` / ``TEMPORAL_TLS*`` or a ``temporalio.envconfig`` profile. That is how a class
shares one cluster or Temporal Cloud, and then nothing is started here. Otherwise the per-user
local dev server is started (or reused).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client, WorkflowHandle
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
from .results import WatchedWorkflowHandle, WatchResultsInterceptor

CONNECT_TIMEOUT_S = 10.0
HEALTH_TIMEOUT_S = 1.0  # a cached client's check: a server that answers at all answers in ms
MONITOR_INTERVAL_S = 1.0  # while workers run: how soon their status line learns the server is gone
UI_URL_ENV = "TEMPORAL_NOTEBOOKS_UI_URL"
START_HINT = "start it with `python -m temporal_notebooks server start` or re-run the notebook's first cell"


class NotebookClient(Client):
    """A client whose every workflow handle watches for stuck runs, however the notebook got it
    (``start_workflow``, ``execute_workflow`` or ``get_workflow_handle``)."""

    def get_workflow_handle(self, workflow_id: str, **kwargs: Any) -> WorkflowHandle[Any, Any]:
        handle = super().get_workflow_handle(workflow_id, **kwargs)
        if type(handle) is WorkflowHandle:
            handle.__class__ = WatchedWorkflowHandle
        return handle


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
    """The kernel's Temporal client, made once and reused by every later call in the same kernel.

    A cached client is checked first (one health RPC with a short deadline). When its server is gone,
    the local server is found or started again and the same client object, and this kernel's
    workers, move to it: cells and worker cells run before keep working without a re-run.
    """
    global _client, _client_loop, _info
    loop = asyncio.get_running_loop()
    if _client is not None and _client_loop is loop and _info is not None:
        if not await server_healthy(_client):
            await _heal(_client, _info)
        if not quiet:
            print(_info.describe())
        return _client
    info = await asyncio.to_thread(server_info)
    client = await _new_client(info)
    _client, _client_loop, _info = client, loop, info
    if not quiet:
        print(info.describe())
    return client


async def _new_client(info: ServerInfo) -> NotebookClient:
    args = client_connect_args(info)
    args["interceptors"] = [*args.get("interceptors", []), WatchResultsInterceptor()]
    args.setdefault("runtime", notebook_runtime())
    # Also for what a lesson makes without a client (a Replayer, a plain Worker's replays): otherwise
    # the SDK's default runtime prints raw core warnings into the notebook.
    Runtime.set_default(notebook_runtime(), error_if_already_set=False)
    try:
        return await asyncio.wait_for(connect_when_ready(args, local=info.local), CONNECT_TIMEOUT_S)
    except (TimeoutError, RuntimeError, OSError) as exc:
        reason = connect_failure_reason(exc, tls=bool(args.get("tls")), api_key=bool(args.get("api_key")))
        raise _unreachable(info, reason) from None


def _unreachable(info: ServerInfo, reason: str) -> ServerUnreachableError:
    where = "the local dev server" if info.local else "the configured server"
    return ServerUnreachableError(
        f"Cannot reach {where} at {info.address} (namespace '{info.namespace}'): {reason}. "
        + (
            "Check TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TLS / API key settings (or unset "
            "TEMPORAL_ADDRESS to use the local dev server), then re-run this cell."
            if not info.local
            else f"See its log {devserver.state_dir() / 'devserver.log'}; "
            "`python -m temporal_notebooks server status` in a terminal tells whether it runs."
        )
    )


async def server_healthy(client: Client, timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """One cheap RPC with a short deadline and no retries: is the client's server there now?
    (GetSystemInfo, which every client makes at connect, so any server and API key allow it.)"""
    try:
        await client.workflow_service.get_system_info(
            GetSystemInfoRequest(), retry=False, timeout=timedelta(seconds=timeout)
        )
    except Exception:
        return False
    return True


async def _heal(client: Client, old: ServerInfo) -> None:
    """Bring ``client`` back to a working server: the local one is found or started again. On the
    same address the SDK's channel reconnects by itself; on a new one the client's service
    connection and this kernel's workers are moved over."""
    global _info
    info = await asyncio.to_thread(server_info)
    if info.address != old.address:
        _move_client(client, await _new_client(info))
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while not await server_healthy(client):
        if time.monotonic() > deadline:
            raise _unreachable(info, "no answer")
        await asyncio.sleep(0.1)
    if client is _client:
        _info = info


def _move_client(client: Client, fresh: Client) -> None:
    """Point ``client`` (the object the notebook's variables hold) at ``fresh``'s connection, and
    the kernel's workers using it too. The SDK has no public way to retarget a client in place."""
    client._config["service_client"] = fresh.service_client
    from .worker import running_workers

    for running in running_workers().values():
        if running.worker.client is client:
            running.follow_client()  # a new worker on the new connection (see there why)
    # ``fresh`` just connected, so its server answers: the status lines say so now, not a check later.
    if _down_since.pop(id(client), None) is not None:
        from .worker import set_server_state

        set_server_state(client, None, f"server back since {_clock(time.time())}")


# --- watching the server while workers run ---------------------------------------------------------

_monitor: asyncio.Task | None = None
_down_since: dict[int, float] = {}  # id(client): since when its workers' status lines say it is gone


def watch_server() -> None:
    """Make sure this kernel's workers learn within seconds when their server goes and comes back
    (called by ``start_worker``; the watch ends by itself once no worker runs)."""
    global _monitor
    if _monitor is None or _monitor.done():
        _monitor = asyncio.ensure_future(_watch_server())


async def _watch_server() -> None:
    from .worker import running_workers, set_server_state

    down_since = _down_since
    misses: dict[int, int] = {}  # failed checks in a row: one slow answer on a busy machine is no outage
    while True:
        await asyncio.sleep(MONITOR_INTERVAL_S)
        workers = [w for w in running_workers().values() if w.running]
        if not workers:
            return
        for client in {id(w.worker.client): w.worker.client for w in workers}.values():
            healthy = await server_healthy(client)
            if not healthy and client is _client and _info is not None and _info.local:
                healthy = await _follow_moved_server(client)
            key = id(client)
            misses[key] = 0 if healthy else misses.get(key, 0) + 1
            if misses[key] >= 2 and key not in down_since:
                down_since[key] = time.time()
                set_server_state(client, f"server unreachable since {_clock(down_since[key])}: {START_HINT}")
            elif healthy and key in down_since:
                down_since.pop(key)
                set_server_state(client, None, f"server back since {_clock(time.time())}")


async def _follow_moved_server(client: Client) -> bool:
    """The local server runs again on another address (started from a terminal or another kernel):
    move there. Starting one is left to ``connect()``, so a stopped server stays stopped."""
    global _info
    record = await asyncio.to_thread(devserver.read_record)
    if record is None or _info is None or record.address == _info.address:
        return False
    with contextlib.suppress(Exception):
        info = await asyncio.to_thread(server_info)
        _move_client(client, await _new_client(info))
        _info = info
        return await server_healthy(client)
    return False


def _clock(when: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(when))


async def connect_when_ready(args: dict, *, local: bool) -> Client:
    """``Client.connect``, retried while a server is still starting ("Frontend is not healthy yet";
    for the local server also a refused connection). The caller bounds the total time."""
    while True:
        try:
            return await NotebookClient.connect(**args)
        except RuntimeError as exc:
            text = str(exc).lower()
            starting = "not healthy" in text or (local and "refused" in text)
            if not starting:
                raise
        await asyncio.sleep(0.05)


def current_info() -> ServerInfo:
    """The server of the last ``connect()`` (or the one it would use)."""
    return _info or server_info()
