"""Workflow results that never hang a cell silently.

When workflow code raises (or breaks the sandbox, or is non-deterministic), Temporal fails the
workflow *task* and retries it until the code is fixed: a plain ``await handle.result()`` then
waits forever. Every handle a notebook gets (from ``start_workflow``, ``execute_workflow`` and
``get_workflow_handle``) watches the run's history while waiting, so the cell raises a short
:class:`WorkflowTaskFailedError` with the message and the line instead, within a second or so;
but only while the failure is the run's current state: after the fix, the same await gives the
result. It also notices a workflow that no worker polls for, and a server that stops answering while
a cell waits for a result or an update.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
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
    WorkflowHandle,
    WorkflowUpdateHandle,
)

from .errors import NoWorkerError, ServerAwayError, WorkflowTaskFailedError

T = TypeVar("T")
NO_WORKER_GRACE_S = 3.0
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
        answer.add_done_callback(lambda task: task.cancelled() or task.exception())
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


def _workflow_line(stack_trace: str) -> str | None:
    """The innermost frame of lesson or learner code, as "file.py line N in fn"."""
    frames = [m for m in _FRAME.finditer(stack_trace or "") if "/temporalio/" not in m.group(1)]
    if not frames:
        return None
    path, line, function = frames[-1].groups()
    return f"{path.rsplit('/', 1)[-1]} line {line}, in {function}"


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
