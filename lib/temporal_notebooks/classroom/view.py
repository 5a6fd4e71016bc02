"""The instructor's live view of the class (a Refresh button, auto-refresh, chart and table)."""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

from temporalio.client import Client

from .status import ClassStatus, class_status

REFRESH_TIMEOUT_S = 8.0  # a refresh that gets no answer says so, instead of "Fetching…" for ever
FETCH_TIMEOUT_S = 120.0  # a server that answers may still take a while to list a large class


class ClassView:
    """The instructor's live view: a Refresh button, an optional auto-refresh, the chart and table.

    ``await view.refresh()`` does by code what the button does.
    """

    def __init__(
        self,
        client: Client,
        *,
        every_s: float = 10.0,
        max_hours: float = 4.0,
        timeout_s: float = REFRESH_TIMEOUT_S,
        **query: Any,
    ):
        import ipywidgets

        self.client, self.query, self.timeout_s = client, query, timeout_s
        self.every_s, self.max_hours = every_s, max_hours
        self.status: ClassStatus | None = None
        self.button = ipywidgets.Button(description="Refresh", icon="refresh")
        self.button.add_class("tn-class-refresh")
        # Sized to its label: the default button width cut it to "Auto-refresh ever…".
        self.auto = ipywidgets.ToggleButton(
            description=f"Auto-refresh every {every_s:.0f} s", value=False, layout={"width": "auto"}
        )
        self.auto.add_class("tn-class-auto")
        self.line = ipywidgets.HTML("Not fetched yet: click Refresh.")
        self.line.add_class("tn-class-line")
        self.output = ipywidgets.HTML()
        self.output.add_class("tn-class-view")
        self.button.on_click(lambda _: self._schedule())
        self.auto.observe(self._toggle_auto, names="value")
        self._auto_task: asyncio.Task | None = None
        self.refreshes = 0
        self.failures = 0
        self.problem: str | None = None  # why the last refresh failed; None after a good one

    def _schedule(self) -> None:
        asyncio.ensure_future(self.refresh())

    async def refresh(self) -> ClassStatus | None:
        """Fetch the class's status from the server and redraw; problems go to the status line.

        A server that does not answer within ``timeout_s`` (stopped, unreachable, hung) is reported
        as such; the last good table stays, marked with when it was fetched."""
        started = time.monotonic()
        self.line.value = "Fetching…"
        try:
            await asyncio.wait_for(self._probe(), self.timeout_s)
            status = await asyncio.wait_for(class_status(self.client, **self.query), FETCH_TIMEOUT_S)
        except Exception as exc:  # a view must not raise from a button click
            self.failures += 1
            self.problem = self._problem_text(exc, time.monotonic() - started)
            shown = self.problem
            if self.status is not None:
                shown += f" Below: the status fetched at {self.status.fetched_at:%H:%M:%S} UTC."
            self.line.value = f"<span style='color:#cf222e'>{html.escape(shown)}</span>"
            return None
        self.status = status
        self.problem = None
        self.refreshes += 1
        self.line.value = html.escape(status.summary())
        self.output.value = status.failing_html() + status.chart_svg() + status.table_html()
        return status

    async def _probe(self) -> None:
        """One small call first: whether the server answers at all, apart from how long a large
        class takes to list."""
        from datetime import timedelta

        from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

        await self.client.workflow_service.get_system_info(
            GetSystemInfoRequest(), timeout=timedelta(seconds=self.timeout_s)
        )

    def _problem_text(self, exc: BaseException, took_s: float) -> str:
        from ..runtime.errors import explain

        where = self.client.service_client.config.target_host
        namespace = self.client.namespace
        if isinstance(exc, TimeoutError) and took_s > self.timeout_s * 1.5:
            return (
                f"Refresh failed: the Temporal server at {where} answers, but listing the class took over "
                f"{FETCH_TIMEOUT_S:.0f} s. Narrow it: ClassView(client, since=timedelta(hours=2))."
            )
        if isinstance(exc, TimeoutError):
            return (
                f"Refresh failed: no answer from the Temporal server at {where} (namespace '{namespace}') "
                f"within {self.timeout_s:.0f} s. Is it running, and reachable from here?"
            )
        text = (explain(exc) or f"{type(exc).__name__}: {exc}").splitlines()[0]
        return f"Refresh failed after {took_s:.1f} s ({where}, namespace '{namespace}'): {text}"

    def _toggle_auto(self, change: dict) -> None:
        if change["new"] and (self._auto_task is None or self._auto_task.done()):
            self._auto_task = asyncio.ensure_future(self._auto_loop())
        elif not change["new"] and self._auto_task is not None:
            self._auto_task.cancel()

    async def _auto_loop(self) -> None:
        """Bounded: stops after ``max_hours`` (a class), or when the toggle is switched off."""
        deadline = time.monotonic() + self.max_hours * 3600
        while self.auto.value and time.monotonic() < deadline:
            await self.refresh()
            await asyncio.sleep(self.every_s)
        self.auto.value = False

    def widget(self) -> Any:
        import ipywidgets

        return ipywidgets.VBox([ipywidgets.HBox([self.button, self.auto]), self.line, self.output])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())
