"""Expected Temporal mistakes turned into one short line that says what happened and what to do.

:func:`explain` is used by the notebook's exception handler (installed by ``connect()``), by the
widgets, and by lesson cells that show an error on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import (
    RPCError,
    WorkflowContinuedAsNewError,
    WorkflowFailureError,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
    FailureError,
    TerminatedError,
    TimeoutError,
    WorkflowAlreadyStartedError,
)
from temporalio.service import RPCStatusCode
from temporalio.workflow import NondeterminismError

T = TypeVar("T")


class NotebookError(Exception):
    """An error whose message is already the short, actionable line a learner should see."""


class ServerUnreachableError(NotebookError):
    """The configured Temporal server did not answer."""


class WorkflowTaskFailedError(NotebookError):
    """Workflow code raised; Temporal retries such a task forever, so the run is stuck, not failed."""

    def __init__(self, message: str, workflow_id: str, line: str | None = None) -> None:
        self.workflow_id = workflow_id
        self.cause_message = message
        self.line = line
        where = f" ({line})" if line else ""
        super().__init__(
            f"The workflow task of '{workflow_id}' failed: {message}{where}. Temporal retries it "
            "until the code is fixed: fix the workflow code, re-run the worker cell, and the same "
            "workflow continues from where it stopped."
        )


class NoWorkerError(NotebookError):
    """Nothing polls the task queue a workflow was started on."""


def _root_cause(exc: BaseException) -> BaseException:
    while isinstance(exc, FailureError) and exc.cause is not None:
        exc = exc.cause
    return exc


def _failure_message(exc: BaseException) -> str:
    cause = _root_cause(exc)
    if isinstance(cause, ApplicationError):
        kind = f"{cause.type}: " if cause.type else ""
        return f"{kind}{cause.message}"
    if isinstance(cause, TimeoutError):
        return f"timed out ({cause.type.name.lower().replace('_', '-') if cause.type else 'timeout'})"
    if isinstance(cause, TerminatedError):
        return "it was terminated"
    if isinstance(cause, CancelledError):
        return "it was cancelled"
    return str(cause) or type(cause).__name__


def _rpc(exc: RPCError) -> str | None:
    text = exc.message or str(exc)
    lowered = text.lower()
    if (
        "exceeds size limit" in lowered
        or "blob size" in lowered
        or exc.status == (RPCStatusCode.RESOURCE_EXHAUSTED)
    ):
        return (
            f"A payload is too large for Temporal ({text}). Keep payloads small (the default "
            "limit is 2 MB): store big data elsewhere and pass a reference (a path or key)."
        )
    if "workflow execution already completed" in lowered or (
        exc.status == RPCStatusCode.NOT_FOUND and "workflow" in lowered
    ):
        return (
            f"That workflow is closed or does not exist ({text}). Closed workflows take no "
            "signals or updates: start a new run, then send it again."
        )
    if exc.status == RPCStatusCode.UNAVAILABLE:
        return (
            f"The Temporal server is not reachable ({text}). Re-run the notebook's first cell; "
            "it starts the local server or tells you what is wrong with the configured one."
        )
    return None


def explain(exc: BaseException) -> str | None:
    """One line for an expected Temporal error, or None for anything else."""
    if isinstance(exc, NotebookError):
        return str(exc)
    if isinstance(exc, WorkflowAlreadyStartedError):
        return (
            f"A workflow with id '{exc.workflow_id}' is already running. Use another id, wait for "
            "it to finish, or start with id_conflict_policy=WorkflowIDConflictPolicy."
            "TERMINATE_EXISTING (replace it) or USE_EXISTING (attach to it)."
        )
    if isinstance(exc, WorkflowUpdateFailedError):
        return f"The update was rejected or failed: {_failure_message(exc.cause)}"
    if isinstance(exc, WorkflowQueryRejectedError):
        status = exc.status.name if exc.status else "closed"
        return f"The query was rejected: the workflow is {status.lower()}."
    if isinstance(exc, WorkflowQueryFailedError):
        return (
            f"The query failed: {exc.message}. Check the query's name and arguments; a query "
            "handler must not change state or await anything."
        )
    if isinstance(exc, WorkflowContinuedAsNewError):
        return "The workflow continued as new; follow the new run to get its result."
    if isinstance(exc, WorkflowFailureError):
        cause = exc.cause
        if isinstance(cause, ActivityError | ChildWorkflowError):
            return f"The workflow failed because an activity or child failed: {_failure_message(cause)}"
        return f"The workflow failed: {_failure_message(cause)}"
    if isinstance(exc, RPCError):
        return _rpc(exc)
    if isinstance(exc, NondeterminismError):
        return _nondeterminism(exc)
    if isinstance(exc, FailureError):
        return f"{type(exc).__name__}: {_failure_message(exc)}"
    return None


def _nondeterminism(exc: NondeterminismError) -> str:
    """The SDK core's reason (``[TMPRL1100] ...``) without the Rust debug text wrapped around it."""
    text = str(exc)
    match = re.search(r'message: "((?:[^"\\]|\\.)*)"', text)
    reason = match.group(1).replace('\\"', '"') if match else text.split("\n")[0]
    return (
        f"The workflow code no longer matches the recorded history: {reason}. Guard a change to the "
        "steps of a workflow that has runs in flight with workflow.patched(...)."
    )


def install_notebook_handler() -> bool:
    """Show expected Temporal errors in IPython as one line instead of a long traceback."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((Exception,), _handler_for(shell))
    return True


def _handler_for(shell) -> Callable:
    def handler(self, etype, value, tb, tb_offset=None):
        line = explain(value)
        if line is None:  # not one of ours: the usual traceback
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        stb = [f"\x1b[31m{type(value).__name__}\x1b[0m: {line}"]
        shell._showtraceback(etype, value, stb)
        return stb

    return handler


class ShownError:
    """An expected error, displayed as its one line (a lesson cell shows it without stopping Run All)."""

    def __init__(self, exc: BaseException) -> None:
        self.exception = exc
        self.line = explain(exc) or f"{exc}"

    def __repr__(self) -> str:
        return f"⚠ {type(self.exception).__name__}: {self.line}"

    def _repr_html_(self) -> str:
        import html

        name = html.escape(type(self.exception).__name__)
        return f"<p style='color:#9a6700'>⚠ <b>{name}</b>: {html.escape(self.line)}</p>"


async def attempt(awaitable: Awaitable[T]) -> T | ShownError:
    """Await ``awaitable``; an exception comes back as a :class:`ShownError` instead of raising.

    Lesson cells that show a mistake on purpose use this, so Restart & Run All keeps going.
    """
    try:
        return await awaitable
    except Exception as exc:  # the point is to show it
        return ShownError(exc)
