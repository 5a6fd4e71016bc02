"""Workflow results that never hang a cell silently.

When workflow code raises (or breaks the sandbox, or is non-deterministic), Temporal fails the
workflow *task* and retries it until the code is fixed: a plain ``await handle.result()`` then
waits forever. Every handle a notebook gets (from ``start_workflow``, ``execute_workflow`` and
``get_workflow_handle``) watches the run's history while waiting, so the cell raises a short
:class:`WorkflowTaskFailedError` with the message and the line instead, within a second or so;
but only while the failure is the run's current state: after the fix, the same await gives the
result. It also notices a workflow that no worker polls for, and a run that waits for a message
(a signal or an update nobody has sent yet): after a few seconds the cell prints one line saying that
the run is idle, which messages it takes and, where the lesson said so with :func:`say_who_sends`,
which cell sends the one it waits for. (The built-in ``__stack_trace`` query cannot say where: in
temporalio 1.35 it lists each task's outermost frame only, ``_run_top_level_workflow_function``.)
And a server that stops answering while a cell waits for a result or an update gets one line too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import sysconfig
import time
from collections.abc import Awaitable
from datetime import UTC
from typing import Any, TypeVar

from temporalio.api.enums.v1 import EventType, TaskQueueType, WorkflowTaskFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateHandle,
)

from .errors import NoWorkerError, ServerAwayError, WorkflowTaskFailedError

T = TypeVar("T")
NO_WORKER_GRACE_S = 3.0
WAITING_NOTICE_S = 5.0  # a result awaited this long on an idle run: say what it waits for
_senders: dict[str, str] = {}  # workflow type name -> which cell sends the message its run waits for
# A server that missed this many health checks in a row (1.5 s deadline each, 0.5 s apart) is away:
# at most about 7 s after it went, the waiting cell says so instead of waiting on silently. A busy but
# live server answers such a check in milliseconds.
AWAY_MISSES = 3
AWAY_CHECK_EVERY_S = 0.5
AWAY_CHECK_TIMEOUT_S = 1.5
_CODE_FAILURES = {
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
}
_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


class WatchedWorkflowHandle(WorkflowHandle):
    """A handle whose ``result()`` gives up with a clear error when the run cannot progress."""

    async def result(self, *args: Any, **kwargs: Any) -> Any:
        result = asyncio.ensure_future(super().result(*args, **kwargs))
        watchers = [
            asyncio.ensure_future(watch_task_failures(self)),
            asyncio.ensure_future(check_worker_polls(self)),
            asyncio.ensure_future(notice_waiting_for_message(self)),
            asyncio.ensure_future(watch_server_away(self._client)),
        ]
        try:
            pending = {result, *watchers}
            while True:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if result in done:
                    return result.result()
                for watcher in done:
                    watcher.result()  # raises when it found a problem
        finally:
            for task in (result, *watchers):
                # A task that ended with an error nobody read (the run was terminated while a watcher
                # raised) would be printed later as "never retrieved", from whatever thread collects it.
                task.add_done_callback(_retrieve)
                task.cancel()

    async def execute_update(self, *args: Any, **kwargs: Any) -> Any:
        return await while_server_answers(self._client, super().execute_update(*args, **kwargs))

    async def start_update(self, *args: Any, **kwargs: Any) -> WorkflowUpdateHandle[Any]:
        handle = await while_server_answers(self._client, super().start_update(*args, **kwargs))
        return watched_update_handle(handle)

    def get_update_handle(self, *args: Any, **kwargs: Any) -> WorkflowUpdateHandle[Any]:
        return watched_update_handle(super().get_update_handle(*args, **kwargs))


class WatchedUpdateHandle(WorkflowUpdateHandle):
    """An update handle whose ``result()`` says so when the server stops answering."""

    async def result(self, *args: Any, **kwargs: Any) -> Any:
        return await while_server_answers(self._client, super().result(*args, **kwargs))


def _retrieve(task: asyncio.Future) -> None:
    """Read a finished task's error so that asyncio does not report it as never retrieved."""
    if not task.cancelled():
        task.exception()


def watched_update_handle(handle: WorkflowUpdateHandle[Any]) -> WorkflowUpdateHandle[Any]:
    if type(handle) is WorkflowUpdateHandle:
        handle.__class__ = WatchedUpdateHandle
    return handle


async def while_server_answers(client: Client, awaitable: Awaitable[T]) -> T:
    """``awaitable``'s answer, or :class:`ServerAwayError` once the server has stopped answering.

    The SDK's own calls wait longer than a learner should: its retries last 10 s, and a call on a
    connection whose address is now held by a process that accepts it but never replies (the server
    went and something else took its port) waits for the HTTP/2 keep-alive, 30 + 15 s.
    """
    answer = asyncio.ensure_future(awaitable)
    watcher = asyncio.ensure_future(watch_server_away(client))
    try:
        done, _ = await asyncio.wait({answer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if answer in done:
            return answer.result()
        watcher.result()  # raises ServerAwayError
        raise AssertionError("unreachable")
    finally:
        # A cancelled update call ends with the SDK's own error rather than as cancelled: retrieved
        # here, so asyncio does not print it later as "never retrieved".
        answer.add_done_callback(_retrieve)
        answer.cancel()
        watcher.cancel()


async def watch_server_away(client: Client) -> None:
    """Raise :class:`ServerAwayError` once ``client``'s server misses ``AWAY_MISSES`` checks in a row."""
    from .connection import server_healthy

    misses, since = 0, time.time()
    while True:
        await asyncio.sleep(AWAY_CHECK_EVERY_S)  # first: a quick answer (a widget's click) costs no check
        if await server_healthy(client, AWAY_CHECK_TIMEOUT_S):
            misses, since = 0, time.time()
        else:
            misses += 1
            if misses >= AWAY_MISSES:
                raise ServerAwayError(_away_line(client, since))


def _away_line(client: Client, since: float) -> str:
    address = client.service_client.config.target_host
    when = time.strftime("%H:%M:%S", time.localtime(since))
    return (
        f"The Temporal server at {address} has not answered since {when}: it was stopped, or it moved "
        "to another port. Re-run the notebook's first cell (it starts the local server again, or finds "
        "where it runs now), then this cell: the workflow kept its state on the server."
    )


@dataclasses.dataclass
class _RunState:
    """What the history says so far: the run's task queue and its current workflow task failure."""

    task_queue: str | None = None
    failure: HistoryEvent | None = None  # the last code failure not followed by a completed task
    last_event_id: int = 0

    def add(self, event: HistoryEvent) -> None:
        self.last_event_id = event.event_id
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            self.task_queue = event.workflow_execution_started_event_attributes.task_queue.name
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            self.failure = None  # a later task went through: the earlier failure is history
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            if event.workflow_task_failed_event_attributes.cause in _CODE_FAILURES:
                self.failure = event

    def current_error(self, workflow_id: str) -> WorkflowTaskFailedError | None:
        """The failure to report now, if the run's current state is a failed workflow task.

        Temporal records only the first failure of a series; the retries, also those a fixed
        worker makes, stay out of the history until one completes. So when this kernel's worker for
        the queue was (re)started after the recorded failure, that failure is no longer news: only
        what the new worker itself reports for this workflow counts.
        """
        if self.failure is None:
            return None
        from .worker import running_workers

        worker = running_workers().get(self.task_queue or "")
        failed_at = self.failure.event_time.ToDatetime(tzinfo=UTC).timestamp()
        attributes = self.failure.workflow_task_failed_event_attributes
        if worker is not None and worker.running and worker.started_at > failed_at:
            if attributes.identity and attributes.identity == worker.identity:
                return _error_from_event(workflow_id, self.failure)
            latest = worker.task_failures.get(workflow_id)
            if latest is None or latest.when < worker.started_at:
                return None  # the re-run worker has not failed this workflow (yet)
            return WorkflowTaskFailedError(latest.message, workflow_id, _workflow_line(latest.stack_trace))
        return _error_from_event(workflow_id, self.failure)


def _error_from_event(workflow_id: str, event: HistoryEvent) -> WorkflowTaskFailedError:
    failure = event.workflow_task_failed_event_attributes.failure
    message = failure.message
    if failure.HasField("cause") and failure.cause.message:  # e.g. "Failed decoding arguments: <why>"
        message = f"{message}: {failure.cause.message}"
    return WorkflowTaskFailedError(message, workflow_id, _workflow_line(failure.stack_trace))


async def watch_task_failures(handle: WorkflowHandle, recheck_s: float = 0.25) -> None:
    """Raise while the run's current state is a workflow task failure caused by workflow code."""
    state = _RunState()
    async for event in handle.fetch_history_events():  # the history so far
        state.add(event)
    changed = asyncio.Event()

    async def follow() -> None:
        async for event in handle.fetch_history_events(wait_new_event=True):
            if event.event_id > state.last_event_id:
                state.add(event)
                changed.set()

    follower = asyncio.ensure_future(follow())
    try:
        while True:
            error = state.current_error(handle.id)
            if error is not None:
                raise error
            if follower.done():
                follower.result()  # the history stream ended (the run closed) or failed
                return
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), recheck_s)
    finally:
        follower.cancel()


async def check_worker_polls(handle: WorkflowHandle) -> None:
    """Raise when, after a grace period, no worker has picked up the run and none polls its queue."""
    await asyncio.sleep(NO_WORKER_GRACE_S)
    task_queue = None
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            task_queue = event.workflow_execution_started_event_attributes.task_queue.name
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            return
    if task_queue is None:
        return
    client = handle._client
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    if not response.pollers:
        raise NoWorkerError(
            f"No worker polls task queue '{task_queue}', so workflow '{handle.id}' waits. "
            "Run the cell that starts the worker, then this cell again (the workflow keeps "
            "waiting on the server and continues once a worker polls)."
        )


def say_who_sends(workflow: type | str, where: str) -> None:
    """Tell the waiting notice which cell sends the message a run of ``workflow`` waits for.

    ``where`` completes "It continues when …", e.g. "§5's cell sends the `checkout` update"."""
    name = workflow if isinstance(workflow, str) else _workflow_definition(workflow).name
    _senders[name or ""] = where


def _workflow_definition(cls: type) -> Any:
    from temporalio.workflow import _Definition

    return _Definition.must_from_class(cls)


async def notice_waiting_for_message(handle: WorkflowHandle, after_s: float = WAITING_NOTICE_S) -> None:
    """Print one line, once, when the result has been awaited ``after_s`` or more and the run is open and
    idle: no workflow task, activity, child workflow or timer is pending, so only a message (signal or
    update) can move it on."""
    if _is_check_run(handle.id):
        return await asyncio.Event().wait()  # an exercise check waits with its own timeout and verdict
    started = time.monotonic()
    while True:
        await asyncio.sleep(after_s)
        with contextlib.suppress(Exception):  # a notice that cannot be made is no error of the learner's
            line = await waiting_for_message(handle)
            if line:
                print(f"⏳ Still waiting after {time.monotonic() - started:.0f} s: {line}")
                break
    await asyncio.Event().wait()  # said once: leave the other watchers and the result to finish


async def waiting_for_message(handle: WorkflowHandle) -> str | None:
    """The one line saying what an idle open run waits for, or None when it is not waiting on a message."""
    description = await handle.describe()
    if description.status != WorkflowExecutionStatus.RUNNING:
        return None
    raw = description.raw_description
    if raw.pending_activities or raw.pending_children or raw.pending_nexus_operations:
        return None
    workflow_type, last_event, open_timers = "", None, set()
    async for event in handle.fetch_history_events():
        last_event = event.event_type
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            workflow_type = event.workflow_execution_started_event_attributes.workflow_type.name
        elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            open_timers.add(event.timer_started_event_attributes.timer_id)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            open_timers.discard(event.timer_fired_event_attributes.timer_id)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            open_timers.discard(event.timer_canceled_event_attributes.timer_id)
    if open_timers or last_event != EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        return None  # it waits for time, or a task is under way (or failing: the other watcher says so)
    line = (
        f"workflow '{handle.id}' ({workflow_type}) is open and idle: no activity, timer or child "
        "workflow is pending, so only a message moves it on"
    )
    messages = _message_names(workflow_type)
    line += f" ({messages})" if messages else " (a signal or an update)"
    sender = _senders.get(workflow_type)
    line += f"; {sender}." if sender else ". Send it from another cell, or interrupt this one."
    return line


async def worth_waiting_for(handle: WorkflowHandle) -> bool:
    """Whether a run whose answer is late may still give it unaided: it is at work on a first try (a
    workflow task or an activity under way that has not failed), so it is only slow (a loaded machine),
    or it has closed since the caller's wait ended, so its result is on its way. One that waits for a
    message or a timer, whose task or activity is being retried, or that cannot be described, is not."""
    try:
        description = await handle.describe()
    except Exception:
        return False
    if description.status != WorkflowExecutionStatus.RUNNING:
        return True
    raw = description.raw_description
    if raw.HasField("pending_workflow_task") and raw.pending_workflow_task.attempt <= 1:
        return True
    return any(a.attempt <= 1 and not a.HasField("last_failure") for a in raw.pending_activities)


def _is_check_run(workflow_id: str) -> bool:
    """Exercise checks start their runs as "check-…" (run_exercise_workflow and the lessons' checks)."""
    from .learner import split_scoped

    parts = split_scoped(workflow_id)
    return (parts[1] if parts else workflow_id).startswith("check-")


def _message_names(workflow_type: str) -> str:
    """The signals and updates of ``workflow_type``, as this kernel's workers registered it."""
    from .worker import running_workers

    for worker in running_workers().values():
        for cls in getattr(worker, "workflows", ()):
            definition = _workflow_definition(cls)
            if definition.name == workflow_type:
                names = [f"signal {n}" for n in definition.signals if n and not n.startswith("__")]
                names += [f"update {n}" for n in definition.updates if n and not n.startswith("__")]
                return ", ".join(names)
    return ""


def _workflow_line(stack_trace: str) -> str | None:
    """The innermost frame of lesson or learner code, as "file.py line N in fn".

    Frames of the SDK, of Python's own library (threading, asyncio, …) and of the sandbox's ``exec``
    are not the learner's. A deadlock's trace ([TMPRL1101]) lists the stalled thread innermost first
    (it ends at ``threading.py … _bootstrap``); every other trace ends at the innermost frame."""
    every = list(_FRAME.finditer(stack_trace or ""))
    if every and every[-1].group(3) in ("_bootstrap", "_bootstrap_inner"):
        every.reverse()
    frames = [m for m in every if _is_learner_code(m.group(1))]
    if not frames:
        return None
    path, line, function = frames[-1].groups()
    return f"{path.rsplit('/', 1)[-1]} line {line}, in {function}"


_STDLIB = sysconfig.get_paths()["stdlib"].rstrip("/") + "/"


def _is_learner_code(path: str) -> bool:
    in_stdlib = path.startswith(_STDLIB) and "-packages/" not in path  # conda: site-packages is inside
    return not ("/temporalio/" in path or in_stdlib or path.startswith("<"))


class _WatchingOutbound(OutboundInterceptor):
    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        if _served_here(input):
            # The kernel's own worker polls this queue: the server hands it the first workflow task
            # in the start response instead of through a poll (about 3x faster to a result).
            input.request_eager_start = True
        handle = await super().start_workflow(input)
        if type(handle) is WorkflowHandle:
            handle.__class__ = WatchedWorkflowHandle
        return handle


def _served_here(input: StartWorkflowInput) -> bool:
    from .worker import running_workers

    worker = running_workers().get(input.task_queue)
    plain_start = not (input.start_signal or input.cron_schedule or input.start_delay)
    return plain_start and worker is not None and worker.running


class WatchResultsInterceptor(Interceptor):
    """Client interceptor: every started workflow's handle watches for stuck runs, and workflows for
    this kernel's own workers start eagerly."""

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _WatchingOutbound(next)
