"""An update form: a text box and a button that send a workflow update, and one line for the answer.

The line shows the update's returned value, or the validator's rejection as one sentence, or why
nothing was sent (the text could not be read, the workflow is closed, no worker answered). The text
box and button are an :class:`~.actionbar.ActionBar`: a click or Enter carries the text that is in the
box at that moment, the button is disabled while its update is pending and once the workflow has
closed (the reason shown beside it). Widgets set values, they don't print (see the design notes).

Stable CSS classes (``tn-update-input``, ``tn-update-submit``, ``tn-update-result``) let browser
tests find the parts; code does what a click does with ``form.click("apple 2")`` (then
``await form.settled()``), or both at once with ``await form.submit("apple 2")``.
"""

from __future__ import annotations

import asyncio
import contextlib
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

from .actionbar import Action, ActionBar
from .panels import error_line, until_closed

INPUT_CLASS = "tn-update-input"
SUBMIT_CLASS = "tn-update-submit"
RESULT_CLASS = "tn-update-result"
FORM_CLASS = "tn-update-form"
DEFAULT_TIMEOUT_S = 10.0
PENDING_AFTER_S = 0.2  # an answer slower than this shows "sending …" meanwhile

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
        self.button_text = button_text
        self.bar = ActionBar(
            [Action(button_text, classes=[SUBMIT_CLASS], primary=True, on_enter=True)],
            self._on_action,
            label=label,
            placeholder=placeholder,
            input_classes=[INPUT_CLASS],
        )
        self.result = ipywidgets.HTML(value="")
        self.result.add_class(RESULT_CLASS)
        self.box = ipywidgets.VBox([self.bar, self.result])
        self.box.add_class(FORM_CLASS)
        self.status = ""  # "ok", "rejected", "error" or "pending"
        self.shown_text = ""  # the line the learner sees, as plain text
        self.last_seconds: float | None = None  # click → answer shown, for the latest send
        self.answers = 0  # how many sends have shown their answer (data-seq in the page)
        self.closed: str | None = None  # how the workflow ended, once the form knows it has
        self._watcher = _start_soon(self._watch_close())

    # --- what a click does ----------------------------------------------------------------

    def click(self, text: str | None = None) -> None:
        """What a click (or Enter) does: send ``text`` (default: what is in the box); ``settled()`` waits."""
        self.bar.click(self.button_text, text)

    async def settled(self) -> str:
        """Wait until every send started so far has shown its answer; the shown line."""
        await self.bar.settled()
        return self.shown_text

    async def submit(self, text: str) -> str:
        """Type ``text`` and click, as a learner would; returns the line the form then shows."""
        self.click(text)
        return await self.settled()

    async def _on_action(self, _action: str, text: str) -> str:
        return await self.send(text)

    async def send(self, text: str) -> str:
        """Parse ``text``, send the update, show the outcome; returns the shown line."""
        started = time.perf_counter()
        # Say "sending" only when the answer is slow: a quick answer replaces it before anyone sees it,
        # and each extra widget value is one more message to the page.
        pending = asyncio.get_running_loop().call_later(
            PENDING_AFTER_S, self._show, "pending", f"sending {_quoted(text.strip())}…"
        )
        try:
            status, line = await self._outcome(text)
        except Exception as exc:  # a widget callback must never die silently
            status, line = "error", f"{type(exc).__name__}: {exc}"
        finally:
            pending.cancel()
        self.last_seconds = time.perf_counter() - started
        self.answers += 1
        return self._show(status, line)

    async def _outcome(self, text: str) -> tuple[str, str]:
        if self.closed:
            return "error", f"Not sent: {self.bar.closed}"
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
            return "error", error_line(exc)
        return "ok", self.show(value)

    def _show(self, status: str, line: str) -> str:
        self.status, self.shown_text = status, f"{_ICONS[status]} {line}"
        self.result.value = (
            f"<span class='tn-answer' style='color:{_COLOURS[status]}' data-status='{status}' "
            f"data-seq='{self.answers}'>{html.escape(self.shown_text)}</span>"
        )
        return self.shown_text

    # --- the workflow's end -----------------------------------------------------------------

    async def _watch_close(self) -> None:
        with contextlib.suppress(Exception):  # the form still works without knowing the end early
            self.closed = await until_closed(self.handle)
            self.bar.closed = f"The workflow is closed ({self.closed}): it takes no more updates."

    def stop(self) -> None:
        """Stop watching for the workflow's end (the form keeps answering clicks)."""
        if self._watcher is not None:
            self._watcher.cancel()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return f"<UpdateForm {self.shown_text!r}>"


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _start_soon(coroutine: Any) -> asyncio.Task | None:
    """Run ``coroutine`` on the running loop (a kernel always has one); without a loop, don't."""
    try:
        return asyncio.get_running_loop().create_task(coroutine)
    except RuntimeError:
        coroutine.close()
        return None
