"""The instructor's live view of the class (a Refresh button, auto-refresh, chart and table)."""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

from temporalio.client import Client

from .status import ClassStatus, class_status


class ClassView:
    """The instructor's live view: a Refresh button, an optional auto-refresh, the chart and table.

    ``await view.refresh()`` does by code what the button does.
    """

    def __init__(self, client: Client, *, every_s: float = 10.0, max_hours: float = 4.0, **query: Any):
        import ipywidgets

        self.client, self.query = client, query
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

    def _schedule(self) -> None:
        asyncio.ensure_future(self.refresh())

    async def refresh(self) -> ClassStatus | None:
        """Fetch the class's status from the server and redraw; problems go to the status line."""
        self.line.value = "Fetching…"
        try:
            status = await class_status(self.client, **self.query)
        except Exception as exc:  # a view must not raise from a button click
            from ..runtime.errors import explain

            self.line.value = f"<span style='color:#cf222e'>{html.escape(explain(exc) or str(exc))}</span>"
            return None
        self.status = status
        self.refreshes += 1
        self.line.value = html.escape(status.summary())
        self.output.value = status.chart_svg() + status.table_html()
        return status

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
