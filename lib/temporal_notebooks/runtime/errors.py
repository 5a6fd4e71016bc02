"""Expected Temporal mistakes turned into one short line that says what happened and what to do.

:func:`explain` is used by the notebook's exception handler (installed by ``connect()``), by the
widgets, and by lesson cells that show an error on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import html
import re
import signal
import traceback
from collections.abc import Awaitable, Callable, Iterator
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

from .cell_order import run_first
from .devserver import DevServerError
from .shell import ipython_shell, survive_ast_race

T = TypeVar("T")


class NotebookError(Exception):
    """An error whose message is already the short, actionable line a learner should see."""


class ServerUnreachableError(NotebookError):
    """The configured Temporal server did not answer."""


class ServerAwayError(ServerUnreachableError):
    """The server stopped answering while a cell waited for an update or a result."""


class SettingsError(NotebookError):
    """A setting (environment variable, config file, folder) is wrong; the line says which and how."""


# --- advice that fits where the error happened ---------------------------------------------------

_advice_context: contextvars.ContextVar[str] = contextvars.ContextVar("advice_context", default="lesson")
LESSON_ADVICE = (
    "fix the workflow code, re-run the worker cell, and the same workflow continues from where it stopped"
)
EXERCISE_ADVICE = "edit the exercise cell, run it, then run the check again"


@contextlib.contextmanager
def exercise_check() -> Iterator[None]:
    """Inside an exercise check (which runs its own worker), advice names the exercise cell and the
    check, not "the worker cell". Tasks started inside the block inherit it (contextvars)."""
    token = _advice_context.set("exercise")
    try:
        yield
    finally:
        _advice_context.reset(token)


def in_exercise_check() -> bool:
    return _advice_context.get() == "exercise"


def _fix_advice() -> str:
    return EXERCISE_ADVICE if in_exercise_check() else LESSON_ADVICE


def _then_continue() -> str:
    if in_exercise_check():
        return f"(then {EXERCISE_ADVICE})"
    return "(then re-run the worker cell and this run continues)"


# --- a workflow task that fails --------------------------------------------------------------------

_UNKNOWN_TYPE = re.compile(
    r"Workflow class (\S+) is not registered on this worker, available workflows: (.*)"
)
_MISSING_ARGS = re.compile(r"(\S+)\(\) missing (\d+) required positional arguments?: (.*)")
_TOO_MANY_ARGS = re.compile(r"(\S+)\(\) takes (\d+) positional arguments? but (\d+) (?:was|were) given")
_SANDBOX = re.compile(r"Cannot access (\S+?)(?:\.__call__)? from inside a workflow")
# What to use instead of a call the sandbox refuses (prefix of the refused name → the fix).
_DETERMINISTIC_INSTEAD = {
    "datetime.": "use workflow.now() for the time",
    "time.": "use workflow.now() or workflow.time() for the time, and workflow.sleep() to wait",
    "random.": "use workflow.random() for random numbers",
    "uuid.": "use workflow.uuid4() for ids",
    "threading.": "use asyncio tasks in a workflow, and threads only in activities",
}


class WorkflowTaskFailedError(NotebookError):
    """Workflow code raised; Temporal retries such a task forever, so the run is stuck, not failed."""

    def __init__(self, message: str, workflow_id: str, line: str | None = None) -> None:
        self.workflow_id = workflow_id
        self.cause_message = message
        self.line = line
        super().__init__(_task_failure_line(message, workflow_id, line))


def _types(listing: str) -> str:
    names = [n.strip() for n in listing.split(",") if n.strip()]
    return ", ".join(names) if names else "none"


def _task_failure_line(message: str, workflow_id: str, line: str | None) -> str:
    where = f" ({line})" if line else ""
    unknown = _UNKNOWN_TYPE.search(message)
    if unknown:
        return (
            f"No worker on this task queue knows the workflow type '{unknown.group(1)}' "
            f"(it has: {_types(unknown.group(2))}), so run '{workflow_id}' cannot start. Check the type name "
            "where the workflow is started (a typo?) or register the workflow on the worker; the run "
            "waits on the server until a worker knows the type: terminate it if it was a mistake."
        )
    if any(sign in message for sign in CODEC_MISMATCH_SIGNS):
        return (
            f"The worker cannot read the payloads of run '{workflow_id}' ({message}): they were encoded "
            f"by a payload codec its data converter does not have. {CODEC_ADVICE}"
        )
    if "Failed decoding arguments" in message:
        return (
            f"Run '{workflow_id}' got arguments its parameter types cannot take ({message}). A caller "
            "that does not send a newer field? Give new dataclass fields a default value, or send data "
            f"of the declared types {_then_continue()}."
        )
    # The SDK calls the run method itself: no frame of the workflow's own code means the call's
    # arguments did not fit, not a bad call inside the workflow.
    missing = _MISSING_ARGS.search(message) if line is None else None
    too_many = _TOO_MANY_ARGS.search(message) if line is None else None
    if missing or too_many:
        what = (
            f"{missing.group(1)}() is missing {missing.group(3)}"
            if missing
            else f"{too_many.group(1)}() takes {int(too_many.group(2)) - 1} "
            f"but got {int(too_many.group(3)) - 1}"
        )
        if in_exercise_check():
            return (
                f"Run '{workflow_id}' was started with arguments that do not fit its run method: {what}. "
                "The check calls it as the exercise describes: make the run method take those "
                f"arguments; then {EXERCISE_ADVICE}."
            )
        return (
            f"Run '{workflow_id}' was started with arguments that do not fit its run method: {what}. "
            "A caller written for another version of the workflow? Start it with the arguments the run "
            f"method takes, or give new parameters a default value {_then_continue()}."
        )
    sandbox = _SANDBOX.search(message)
    if sandbox:
        name = sandbox.group(1)
        instead = next(
            (fix for prefix, fix in _DETERMINISTIC_INSTEAD.items() if name.startswith(prefix)),
            "do this in an activity (files, network, system calls)",
        )
        return (
            f"The workflow task of '{workflow_id}' failed: Cannot access {name} from inside a workflow"
            f"{where}. Workflow code must be deterministic: {instead}. Then {_fix_advice()}."
        )
    if "[TMPRL1100]" in message or "Nondeterminism" in message:
        return (
            f"The workflow task of '{workflow_id}' failed: the workflow code no longer matches the run's "
            f"recorded history ({_core_reason(message)}){where}. Guard the change with "
            f"workflow.patched(...), or undo it; then {_fix_advice()}."
        )
    return (
        f"The workflow task of '{workflow_id}' failed: {message}{where}. Temporal retries it until the "
        f"code is fixed: {_fix_advice()}."
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


PAYLOAD_ADVICE = (
    "Keep payloads small (the default limit is 2 MB): store big data elsewhere (a file, a bucket) "
    "and pass a reference, such as its path or key."
)


def _rpc(exc: RPCError) -> str | None:
    text = exc.message or str(exc)
    lowered = text.lower()
    if (
        "exceeds size limit" in lowered
        or "blob data size exceeds limit" in lowered
        or "blob size" in lowered
        or exc.status == RPCStatusCode.RESOURCE_EXHAUSTED
    ):
        return f"The server refused a payload as too large ({text}). {PAYLOAD_ADVICE}"
    namespace = re.search(r"namespace (\S+) is not found", text, re.IGNORECASE)
    if namespace:
        return (
            f"The server has no namespace '{namespace.group(1)}' ({text}). Check TEMPORAL_NAMESPACE (or "
            "the profile's namespace) for a typo, or ask your instructor for the right one; then restart "
            "the kernel and run the notebook again. (A local dev server has the namespace 'default'.)"
        )
    if "workflow execution already completed" in lowered:
        return (
            f"That workflow has already closed ({text}). A closed workflow takes no signals or updates: "
            "start a new run, then send it again."
        )
    if exc.status == RPCStatusCode.NOT_FOUND and "workflow" in lowered:
        return (
            f"No such workflow on the server ({text}): nothing was started under that id (or it was "
            "deleted after its retention period). Check the id, or start the workflow first."
        )
    if exc.status == RPCStatusCode.UNAVAILABLE:
        return (
            f"The Temporal server is not reachable ({text}). Re-run the notebook's first cell; "
            "it starts the local server or tells you what is wrong with the configured one."
        )
    return None


_QUERY_NOT_FOUND = re.compile(
    r"Query handler for '([^']*)' expected but not found, known queries: \[([^\]]*)\]"
)
_UPDATE_NOT_FOUND = re.compile(
    r"Update handler for '([^']*)' expected but not found.*known updates: \[([^\]]*)\]"
)


def _user_names(listing: str) -> str:
    """The SDK's list of handler names ("[a b c]") without its built-in ones (``__stack_trace`` and
    friends). Kept space-separated as the SDK gives it: a name may itself contain a space."""
    names = [n for n in listing.split(" ") if n and not n.startswith("__")]
    return f"[{' '.join(names)}]" if names else "none"


def _query_failed(exc: WorkflowQueryFailedError) -> str:
    message = exc.message
    missing = _QUERY_NOT_FOUND.search(message)
    if missing:
        return (
            f"The workflow has no query named '{missing.group(1)}' (its queries: "
            f"{_user_names(missing.group(2))}). Names must match exactly: check the spelling, and "
            "use the name given in @workflow.query(name=...) if there is one."
        )
    unknown = _UNKNOWN_TYPE.search(message)
    if unknown:
        return (
            f"No worker on the run's task queue knows its workflow type '{unknown.group(1)}' (it has: "
            f"{_types(unknown.group(2))}), so nothing can answer the query. Run a worker that registers "
            "that type (or terminate runs of a type you removed)."
        )
    if "read-only" in message or "read only" in message:
        return (
            f"The query failed: {message}. A query handler may only read the workflow's state: it "
            "must not change it, start activities, or wait."
        )
    return f"The query failed: {message}. Check the query's name and arguments."


def _update_failed(exc: WorkflowUpdateFailedError) -> str:
    reason = _failure_message(exc.cause)
    missing = _UPDATE_NOT_FOUND.search(reason)
    if missing:
        return (
            f"The workflow has no update named '{missing.group(1)}' (its updates: "
            f"{_user_names(missing.group(2))}), so the update was rejected. Check "
            "the spelling, and use the name given in @workflow.update(name=...) if there is one."
        )
    return f"The update was rejected or failed: {reason}"


# A payload encoded by a codec that the reading side lacks (the SDK's KeyError), or a codec that
# names the key it lacks.
CODEC_MISMATCH_SIGNS = ("Unknown payload encoding", "was encrypted with key")
CODEC_ADVICE = (
    "A client and the workers of its task queues must use the same data converter and payload codec "
    "(and key): make each with client_with_converter(client, <that converter>)."
)


def _codec_mismatch(exc: BaseException) -> str | None:
    """A payload this side cannot decode: written through a codec this data converter lacks."""
    text = str(exc.args[0]) if exc.args else str(exc)  # a KeyError's str() adds quotes
    if not isinstance(exc, KeyError | ValueError) or not any(s in text for s in CODEC_MISMATCH_SIGNS):
        return None
    return f"This client cannot read the payload ({text}). {CODEC_ADVICE}"


def _not_serializable(exc: BaseException) -> str | None:
    """The data converter's "not JSON serializable" TypeError, raised before anything is sent."""
    if not isinstance(exc, TypeError) or "serializable" not in str(exc):
        return None
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if frames and not any("temporalio" in f.filename for f in frames):
        return None
    return (
        f"A value cannot be sent to Temporal: {exc}. Arguments and results travel as JSON: use "
        "dataclasses or plain values (str, int, float, bool, list, dict, None), or send the fields "
        "you need instead of the object. Nothing was sent to the server."
    )


def _interrupted() -> str:
    from .worker import running_workers

    queues = [q for q, w in running_workers().items() if w.running]
    if not queues:
        return "Interrupted. Workflows already started keep running on the server."
    names = ", ".join(f"'{q}'" for q in queues)
    return (
        f"Interrupted this cell only: this notebook's worker for {names} keeps running in the background "
        "(and so do workflows on the server). To stop it: await stop_all_workers()."
    )


def explain(exc: BaseException) -> str | None:
    """One line for an expected Temporal error, or None for anything else."""
    if isinstance(exc, NotebookError):
        return str(exc)
    if isinstance(exc, NameError):  # a cell run before the one it needs: name that cell
        return run_first(exc)
    if isinstance(exc, KeyboardInterrupt) or (
        isinstance(exc, asyncio.CancelledError) and exc.args == (INTERRUPTED,)
    ):
        return _interrupted()
    if isinstance(exc, DevServerError):
        return str(exc)
    if isinstance(exc, WorkflowAlreadyStartedError):
        return (
            f"A workflow with id '{exc.workflow_id}' is already running. Use another id, wait for "
            "it to finish, or start with id_conflict_policy=WorkflowIDConflictPolicy."
            "TERMINATE_EXISTING (replace it) or USE_EXISTING (attach to it)."
        )
    if isinstance(exc, WorkflowUpdateFailedError):
        return _update_failed(exc)
    if isinstance(exc, WorkflowQueryRejectedError):
        status = exc.status.name if exc.status else "closed"
        return f"The query was rejected: the workflow is {status.lower()}."
    if isinstance(exc, WorkflowQueryFailedError):
        return _query_failed(exc)
    if isinstance(exc, WorkflowContinuedAsNewError):
        return "The workflow continued as new; follow the new run to get its result."
    if isinstance(exc, WorkflowFailureError):
        cause = exc.cause
        reason = _failure_message(cause)
        advice = f" {PAYLOAD_ADVICE}" if "PayloadsTooLarge" in reason or "TMPRL1103" in reason else ""
        if isinstance(cause, ActivityError | ChildWorkflowError):
            return f"The workflow failed because an activity or child failed: {reason}{advice}"
        return f"The workflow failed: {reason}{advice}"
    if isinstance(exc, RPCError):
        return _rpc(exc)
    if isinstance(exc, NondeterminismError):
        return _nondeterminism(exc)
    if isinstance(exc, FailureError):
        return f"{type(exc).__name__}: {_failure_message(exc)}"
    return _codec_mismatch(exc) or _not_serializable(exc)


def _core_reason(text: str) -> str:
    """The SDK core's reason (``[TMPRL1100] ...``) without the Rust debug text wrapped around it."""
    match = re.search(r'message: "((?:[^"\\]|\\.)*)"', text)
    return match.group(1).replace('\\"', '"') if match else text.split("\n")[0]


def _nondeterminism(exc: NondeterminismError) -> str:
    return (
        f"The workflow code no longer matches the recorded history: {_core_reason(str(exc))}. Guard a "
        "change to the steps of a workflow that has runs in flight with workflow.patched(...)."
    )


# --- the server connection and the local server ----------------------------------------------------


def connect_failure_reason(exc: BaseException, *, tls: bool = False, api_key: bool = False) -> str:
    """Why ``Client.connect`` failed, in words (the SDK's text ends in Rust debug output)."""
    text = str(exc)
    lowered = text.lower()
    if "invalidcontenttype" in lowered or "corrupt message" in lowered or "wrong version number" in lowered:
        if tls:
            key = " (an API key turns TLS on)" if api_key else ""
            return (
                f"the server does not use TLS, but this client does{key}: for a local server unset "
                "TEMPORAL_API_KEY / TEMPORAL_TLS; for Temporal Cloud check the address"
            )
        return "the server expects TLS: set TEMPORAL_TLS=true (or a profile with TLS)"
    if "unauthenticated" in lowered or "permissiondenied" in lowered or "unauthorized" in lowered:
        return "the server refused the credentials (check the API key or client certificate)"
    # Connected, but the first call got no Temporal answer: an HTTP/1 server answers the HTTP/2
    # preface with an error, a GOAWAY, or by closing the connection.
    not_grpc = ("goaway", "h2 protocol error", "http2 error", "frame_size", "broken pipe", "connection reset")
    grpc_states = ("not healthy", "unavailable", "deadline")
    if any(m in lowered for m in not_grpc) or (
        "call error after connection" in lowered and not any(m in lowered for m in grpc_states)
    ):
        return (
            "something answers on that port, but it is not a Temporal server (a web server?): check the port"
        )
    if "connection refused" in lowered or "connectionrefused" in lowered:
        return "connection refused: nothing listens on that port"
    if "dns error" in lowered or "name or service not known" in lowered:
        return "the host name is unknown (check the spelling of the address)"
    if "timed out" in lowered or isinstance(exc, asyncio.TimeoutError):
        return "no answer"
    if "certificate" in lowered or "invalidcertificate" in lowered:
        return (
            "the server's TLS certificate was not accepted "
            "(check TEMPORAL_TLS_SERVER_CA_CERT_PATH / the server name)"
        )
    first = text.split("\n")[0]
    for marker in (" tonic::", " Status {", " Custom {", " hyper::"):
        first = first.split(marker)[0]
    return first.strip().rstrip(":(")[:160] or type(exc).__name__


_DAMAGED_DB = ("file is not a database", "malformed", "database disk image", "not a database")


def devserver_start_failure(log_file: str, db_file: str) -> str:
    """The one line for a local dev server that exited at start, from the end of its log.

    devserver.py raises ``DevServerError(devserver_start_failure(...))`` when its process is gone.
    """
    try:
        with open(log_file, "rb") as log:
            log.seek(0, 2)
            log.seek(max(0, log.tell() - 8192))
            tail = log.read().decode(errors="replace")
    except OSError:
        tail = ""
    errors = [ln.strip() for ln in tail.splitlines() if ln.strip().startswith("Error:")]
    reason = errors[-1].removeprefix("Error:").strip() if errors else ""
    if any(marker in reason.lower() for marker in _DAMAGED_DB):
        return (
            f"The local Temporal server cannot open its database {db_file}: the file is damaged "
            f"({reason.rsplit(': ', 1)[-1]}). Move it aside (mv {db_file} {db_file}.broken) and re-run "
            "this cell: the server starts with no workflows. Its log: " + log_file
        )
    if "address already in use" in reason.lower():
        return (
            f"The local Temporal server could not open its port ({reason}). Re-run this cell (it picks "
            f"free ports); if it happens again, see its log: {log_file}"
        )
    detail = f": {reason}" if reason else ""
    return f"The local Temporal server exited at start{detail}. Its log: {log_file}"


# --- problems a lesson shows on purpose ------------------------------------------------------------

_shown_needles: list[str] = []
MIN_NEEDLE = 12


def mark_shown(exc: BaseException) -> None:
    """Remember an error a cell showed on purpose (:func:`attempt`), so the worker's status line
    counts the background problems it caused as shown, not as a broken set-up."""
    needles = [getattr(exc, "workflow_id", None), getattr(exc, "cause_message", None)]
    if isinstance(exc, FailureError | WorkflowFailureError):
        root = _root_cause(exc.cause if isinstance(exc, WorkflowFailureError) else exc)
        needles += [_failure_message(root), getattr(root, "message", None)]
    for needle in needles:
        if needle and len(needle) >= MIN_NEEDLE and needle not in _shown_needles:
            _shown_needles.append(needle[:200])
    with contextlib.suppress(Exception):
        from .worker import running_workers

        for running in running_workers().values():
            running.refresh()


def was_shown(text: str) -> bool:
    """True when ``text`` (a worker problem) belongs to an error a cell showed on purpose."""
    return any(needle in text for needle in _shown_needles)


def problems_html(problems: list) -> str:
    """The problems part of a worker's status line: unexpected ones in red, ones a lesson cell
    showed on purpose in grey. Empty when there are none."""
    if not problems:
        return ""
    unexpected = [p for p in problems if not was_shown(f"{p.message}\n{p.details}")]
    shown = len(problems) - len(unexpected)
    parts = []
    if unexpected:
        last = html.escape(unexpected[-1].message[:300])
        parts.append(f"<span style='color:#cf222e'>problems: {len(unexpected)}, last: {last}</span>")
    if shown:
        parts.append(
            f"<span style='color:#6e7781'>problems: {shown} shown in cells above, as the lesson meant</span>"
        )
    return " · ".join(parts)


def install_notebook_handler() -> bool:
    """Show expected Temporal errors in IPython as one line instead of a long traceback."""
    shell = ipython_shell()
    if shell is None:
        return False
    # Interrupts too: an interrupted cell gets one line saying what keeps running.
    shell.set_custom_exc((Exception, KeyboardInterrupt, asyncio.CancelledError), _handler_for(shell))
    _interrupt_awaiting_cells(getattr(shell, "kernel", None))
    survive_ast_race(shell)
    return True


INTERRUPTED = "interrupted by the user (Kernel > Interrupt)"


def _interrupt_awaiting_cells(kernel) -> None:
    """Make Kernel > Interrupt stop a cell that is awaiting (``await handle.result()``).

    ipykernel turns the interrupt into a cancellation of the cell, but schedules it on a loop that
    does not wake up (ipython/ipykernel#881): the cell runs on until its await ends by itself. This
    schedules the same cancellation on the loop the cell runs on.
    """
    if kernel is None or not hasattr(kernel, "_cancel_on_sigint"):
        return

    @contextlib.contextmanager
    def cancel_on_sigint(future: asyncio.Future) -> Iterator[None]:
        loop = asyncio.get_running_loop()

        def handle_sigint(*_: object) -> None:
            loop.call_soon_threadsafe(lambda: future.done() or future.cancel(INTERRUPTED))

        saved = signal.signal(signal.SIGINT, handle_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, saved)

    kernel._cancel_on_sigint = cancel_on_sigint


def _handler_for(shell) -> Callable:
    def handler(self, etype, value, tb, tb_offset=None):
        line = explain(value)
        if line is None:  # not one of ours: the usual traceback
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        name = "KeyboardInterrupt" if isinstance(value, asyncio.CancelledError) else type(value).__name__
        stb = [f"\x1b[31m{name}\x1b[0m: {line}"]
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
        name = html.escape(type(self.exception).__name__)
        return f"<p style='color:#9a6700'>⚠ <b>{name}</b>: {html.escape(self.line)}</p>"


async def attempt(awaitable: Awaitable[T]) -> T | ShownError:
    """Await ``awaitable``; an exception comes back as a :class:`ShownError` instead of raising.

    Lesson cells that show a mistake on purpose use this, so Restart & Run All keeps going.
    """
    try:
        return await awaitable
    except Exception as exc:  # the point is to show it
        mark_shown(exc)
        return ShownError(exc)
