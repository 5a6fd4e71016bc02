"""An update form: a text box and a button that send a workflow update, and one line for the answer.

The line shows the update's returned value, or the validator's rejection as one sentence, or why
nothing was sent (the text could not be read, the workflow is closed, no worker answered). The
button's callback only schedules the send on the kernel's loop; the coroutine then sets the
result widget's ``value``: widgets set values, they don't print (see the design notes).

Stable CSS classes (``tn-update-input``, ``tn-update-submit``, ``tn-update-result``) let browser
tests find the parts; every click can also be made by code: set ``form.input.value``, call
``form.button.click()``, then ``await form.settled()``.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets
from temporalio.client import (
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError, FailureError

from ..runtime.errors import explain

INPUT_CLASS = "tn-update-input"
SUBMIT_CLASS = "tn-update-submit"
RESULT_CLASS = "tn-update-result"
FORM_CLASS = "tn-update-form"
DEFAULT_TIMEOUT_S = 10.0

_COLOURS = {"ok": "#1a7f37", "rejected": "#cf222e", "error": "#9a6700", "pending": "#57606a"}
# Plain symbols that common fonts have (emoji show as boxes where no emoji font is installed).
_ICONS = {"ok": "✓", "rejected": "✗", "error": "⚠", "pending": "…"}


def rejection_message(exc: WorkflowUpdateFailedError) -> str:
    """The validator's (or handler's) own message, without the SDK's wrapping."""
    cause: BaseException | None = exc.cause
    while isinstance(cause, FailureError) and not isinstance(cause, ApplicationError) and cause.cause:
        cause = cause.cause
    if isinstance(cause, FailureError):
        return cause.message
    return str(cause or exc)


class UpdateForm:
    """Sends ``update`` to the workflow behind ``handle`` with the text typed into the box.

    ``parse`` turns the text into the update's argument (a ``ValueError`` becomes the shown line);
    ``show`` turns the update's result into the line shown on success.
    """

    def __init__(
        self,
        handle: WorkflowHandle,
        update: Any,
        *,
        parse: Callable[[str], Any] = str,
        show: Callable[[Any], str] = str,
        label: str = "",
        placeholder: str = "",
        button_text: str = "Send update",
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.handle = handle
        self.update = update
        self.parse = parse
        self.show = show
        self.timeout_s = timeout_s
        # The text reaches the kernel when the box loses focus, i.e. on the mouse-down of the button
        # click, so always before the click. With continuous updates, ipywidgets holds back a keystroke
        # update while an earlier one is unacknowledged, but sends the click at once: the click could
        # then overtake the text and send what was typed before.
        self.input = ipywidgets.Text(
            placeholder=placeholder,
            description=label,
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.input.add_class(INPUT_CLASS)
        self.button = ipywidgets.Button(description=button_text, button_style="primary")
        self.button.add_class(SUBMIT_CLASS)
        self.result = ipywidgets.HTML(value="")
        self.result.add_class(RESULT_CLASS)
        self.box = ipywidgets.VBox([ipywidgets.HBox([self.input, self.button]), self.result])
        self.box.add_class(FORM_CLASS)
        self.button.on_click(self._on_click)
        self.status = ""  # "ok", "rejected", "error" or "pending"
        self.shown_text = ""  # the line the learner sees, as plain text
        self.last_seconds: float | None = None  # click → answer shown, for the latest send
        self.answers = 0  # how many sends have shown their answer (data-seq in the page)
        self._pending: set[asyncio.Future] = set()

    # --- what a click does ----------------------------------------------------------------

    def _on_click(self, _button: ipywidgets.Button) -> None:
        """Runs in the kernel when the button is clicked (or ``button.click()`` is called)."""
        text = self.input.value
        self._show("pending", f"sending {text.strip()!r}…")
        future = asyncio.ensure_future(self.send(text))
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    async def send(self, text: str) -> str:
        """Parse ``text``, send the update, show the outcome; returns the shown line."""
        started = time.perf_counter()
        try:
            status, line = await self._outcome(text)
        except Exception as exc:  # a widget callback must never die silently
            status, line = "error", f"{type(exc).__name__}: {exc}"
        self.last_seconds = time.perf_counter() - started
        self.answers += 1
        return self._show(status, line)

    async def _outcome(self, text: str) -> tuple[str, str]:
        try:
            argument = self.parse(text)
        except ValueError as exc:
            return "error", f"Not sent: {exc}"
        try:
            value = await asyncio.wait_for(self.handle.execute_update(self.update, argument), self.timeout_s)
        except WorkflowUpdateFailedError as exc:
            return "rejected", f"Rejected: {rejection_message(exc)}"
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            # wait_for's cancellation reaches the SDK first, which reports it as its own error
            return "error", (
                f"No answer within {self.timeout_s:.0f} s: is this notebook's worker running? "
                "Re-run the worker cell, then submit again."
            )
        except Exception as exc:
            return "error", explain(exc) or f"{type(exc).__name__}: {exc}"
        return "ok", self.show(value)

    def _show(self, status: str, line: str) -> str:
        self.status, self.shown_text = status, f"{_ICONS[status]} {line}"
        self.result.value = (
            f"<span style='color:{_COLOURS[status]}' data-status='{status}' data-seq='{self.answers}'>"
            f"{html.escape(self.shown_text)}</span>"
        )
        return self.shown_text

    # --- for cells that use the form by code ------------------------------------------------

    async def settled(self) -> str:
        """Wait until every send started by a click has shown its answer; the shown line."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
        return self.shown_text

    async def submit(self, text: str) -> str:
        """Type ``text`` and click, as a learner would; returns the line the form then shows."""
        self.input.value = text
        self.button.click()
        return await self.settled()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return f"<UpdateForm {self.shown_text!r}>"
