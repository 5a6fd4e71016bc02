"""The in-notebook worker: a Temporal worker running as a background task of the kernel's loop.

One worker per task queue per kernel: starting a worker for a task queue that already has one
stops the old one first, so re-running a worker cell never leaves two pollers. Whatever goes
wrong in the background (a failing workflow task, a failing activity, the worker itself dying)
lands in the worker's status line instead of being lost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import html
import inspect
import itertools
import logging
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from temporalio.client import Client
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    PollerBehaviorSimpleMaximum,
    Worker,
)

from .collisions import warn_if_polled_elsewhere, worker_identity
from .errors import problems_html

log = logging.getLogger(__name__)
_workers: dict[str, RunningWorker] = {}
_worker_numbers = itertools.count(1)
MAX_ERRORS_KEPT = 20
COUNT_SHOWN_AFTER_S = 0.3  # the status line's activity count follows a burst of activities this late
RETIRED_STOP_WAIT_S = 2.0  # how long stop() waits for a worker left behind on a moved server's address
# Polls each worker keeps waiting in the server, per kind of task. A learner's task queue carries one
# learner's few runs, which two polls serve as fast as the SDK's five (a poll is sent again as soon as
# one returns). A class server holds every learner's polls: at 150 learners two instead of five took
# its memory from 0.62-0.67 GB to 0.46-0.53 GB, with the same latencies there. On one machine that also
# runs every learner's process, past its capacity (120 learners on 2 cores), the tail was longer with one
# sticky poll: a click's next workflow task waits for the re-poll (docs/classroom.md, Capacity).
# Two workflow polls is the least with sticky queues: one for the task queue, one for the sticky one.
POLLS_PER_KIND = 2


@dataclasses.dataclass
class TaskFailure:
    """This worker's latest failed workflow task of one workflow (the SDK logs every attempt)."""

    when: float
    message: str
    stack_trace: str


@dataclasses.dataclass
class WorkerProblem:
    """One warning or error the worker reported in the background."""

    when: float
    message: str
    details: str


class RunningWorker:
    """A worker started by :func:`start_worker`; ``await stop()`` shuts it down cleanly."""

    def __init__(self, worker: Worker, task_queue: str, executor: Any, status: Any) -> None:
        self.worker = worker
        self.task_queue = task_queue
        self.key = task_queue  # its place in the kernel's registry (see _worker_key)
        self.executor = executor
        self.workflows: list[type] = []  # the workflow classes it runs
        self.problems: list[WorkerProblem] = []
        self.activities_done = 0
        self.state = "starting"
        self.started_at = time.time()
        self.identity: str = worker.config().get("identity") or ""
        self.workflow_threads: str | None = None  # thread name prefix of its workflow tasks
        self.workflow_executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.task_failures: dict[str, TaskFailure] = {}  # by workflow id
        self.server_problem: str | None = None  # set while the server does not answer
        self.server_note: str | None = None  # e.g. when it came back
        self._status = status
        self._task: asyncio.Task | None = None
        self._count_shown: asyncio.TimerHandle | None = None
        self._connection = worker.client.service_client  # the server connection its polls use
        self._retired: set[asyncio.Task] = set()  # shutdowns of workers left on an old address

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def last_error(self) -> str | None:
        return self.problems[-1].message if self.problems else None

    def _launch(self) -> None:
        self._task = asyncio.ensure_future(self.worker.run())
        self._task.add_done_callback(self._on_exit)
        self.state = "running"
        self.refresh()

    def _on_exit(self, task: asyncio.Task) -> None:
        if task.cancelled():
            self.state = "cancelled"
        elif task.exception() is not None:
            exc = task.exception()
            self.state = "crashed"
            self.report(f"The worker stopped: {exc}", repr(exc))
            print(f"Worker for '{self.task_queue}' stopped with an error: {exc}")
        else:
            self.state = "stopped"
        self.refresh()

    def follow_client(self) -> None:
        """Poll the server that the worker's client now points at (the local server moved).

        The SDK can hand a running worker a new connection (``Worker.client = ...``), but the polls
        already under way stay on the old one and keep every poll slot until they end. When another
        process holds the old port and accepts connections without ever replying, that takes the
        HTTP/2 keep-alive's 30 + 15 s, and no workflow task or update is served meanwhile. A new
        worker with the same options polls the new server at once; the old one shuts down behind it.
        """
        client = self.worker.client
        if not self.running or self._connection is client.service_client:
            return
        old, old_task = self.worker, self._task
        assert old_task is not None
        old_task.remove_done_callback(self._on_exit)
        self.worker = Worker(**old.config())  # same options, same client object: its new connection
        self._connection = client.service_client
        retired = asyncio.ensure_future(_retire(old, old_task))
        self._retired.add(retired)
        retired.add_done_callback(self._retired.discard)
        self._launch()

    def report(self, message: str, details: str = "") -> None:
        self.problems.append(WorkerProblem(time.time(), message, details))
        del self.problems[:-MAX_ERRORS_KEPT]
        self.refresh()

    def refresh(self) -> None:
        if self._status is not None:
            self._status.value = self.status_html()

    def count_activity(self) -> None:
        """One more activity completed. The count reaches the page a moment later, once for a burst:
        a repaint of the status line in the middle of a click's answer would slow that answer."""
        self.activities_done += 1
        loop = self._task.get_loop() if self._task is not None else None
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._show_count_soon)

    def _show_count_soon(self) -> None:
        if self._count_shown is None:
            self._count_shown = asyncio.get_running_loop().call_later(COUNT_SHOWN_AFTER_S, self._show_count)

    def _show_count(self) -> None:
        self._count_shown = None
        self.refresh()

    def status_html(self) -> str:
        state = self.state
        if state == "running" and self.server_problem:
            state = "waiting for the server"
        colour = {"running": "#1a7f37", "crashed": "#cf222e"}.get(state, "#9a6700")
        parts = [
            f"<b style='color:{colour}'>● worker {html.escape(state)}</b>",
            f"task queue <code>{html.escape(self.task_queue)}</code>",
            f"activities completed: {self.activities_done}",
        ]
        if self.server_problem:
            parts.append(f"<span style='color:#cf222e'>{html.escape(self.server_problem)}</span>")
        elif self.server_note:
            parts.append(f"<span style='color:#6e7781'>{html.escape(self.server_note)}</span>")
        if self.problems:  # red, except problems a lesson cell showed on purpose (attempt())
            parts.append(problems_html(self.problems))
        return " · ".join(parts)

    def __repr__(self) -> str:
        return f"<RunningWorker {self.task_queue!r} {self.state}>"

    async def stop(self) -> None:
        """Graceful shutdown: stop polling, let the worker finish, free the thread pool."""
        if self._task is None:
            return
        self.state = "stopping"
        with contextlib.suppress(Exception):
            await self.worker.shutdown()
        with contextlib.suppress(BaseException):
            await self._task
        if self._retired:  # their polls may hang on the old address: they are not waited for long
            await asyncio.wait(set(self._retired), timeout=RETIRED_STOP_WAIT_S)
        for pool in (self.executor, self.workflow_executor):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self.state = "stopped"
        self.refresh()
        if _workers.get(self.key) is self:
            del _workers[self.key]


async def _retire(worker: Worker, task: asyncio.Task) -> None:
    """Shut down a worker replaced by :meth:`RunningWorker.follow_client`; its errors are no news."""
    with contextlib.suppress(BaseException):
        await worker.shutdown()
    with contextlib.suppress(BaseException):
        await task


def _is_sync(fn: Callable) -> bool:
    if inspect.isroutine(fn):
        return not inspect.iscoroutinefunction(fn)
    return not inspect.iscoroutinefunction(type(fn).__call__)  # a callable activity object


def _status_widget() -> Any:
    try:
        from IPython import get_ipython

        if get_ipython() is None:
            return None
        import ipywidgets
        from IPython.display import display
    except ImportError:
        return None
    widget = ipywidgets.HTML()
    display(widget)
    return widget


async def start_worker(
    client: Client,
    task_queue: str,
    *,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable] = (),
    show_status: bool = True,
    **worker_options: Any,
) -> RunningWorker:
    """Run a worker for ``task_queue`` in the background of this kernel, replacing any earlier one.

    Sync activities get a thread pool. Extra keyword arguments go to ``temporalio.worker.Worker``.
    """
    _install_hooks()
    key = _worker_key(task_queue, worker_options.get("deployment_config"))
    old = _workers.pop(key, None)
    if old is not None:
        await old.stop()
    await warn_if_polled_elsewhere(client, task_queue, workflows=bool(workflows))  # same learner, 2 kernels
    executor = None
    if any(_is_sync(fn) for fn in activities) and "activity_executor" not in worker_options:
        executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=20, thread_name_prefix=f"activities-{task_queue}"
        )
        worker_options["activity_executor"] = executor
    number = next(_worker_numbers)
    # A distinct identity per start, so the server's poller list tells old and new workers apart.
    worker_options.setdefault("identity", worker_identity(number))
    for kind in ("workflow", "activity"):
        if f"max_concurrent_{kind}_task_polls" not in worker_options:
            worker_options.setdefault(
                f"{kind}_task_poller_behavior", PollerBehaviorSimpleMaximum(POLLS_PER_KIND)
            )
    # Named threads for workflow code: a failure the SDK logs is then known to be this worker's,
    # not the replaced one's (whose log lines can still arrive after a worker cell re-run).
    workflow_threads = f"workflows-{number}-"
    workflow_executor = None
    if "workflow_task_executor" not in worker_options:
        workflow_executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=worker_options.get("max_concurrent_workflow_tasks") or 100,
            thread_name_prefix=workflow_threads,
        )
        worker_options["workflow_task_executor"] = workflow_executor
    counter = _CountingInterceptor()
    worker_options["interceptors"] = [*worker_options.get("interceptors", []), counter]
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=list(workflows),
        activities=list(activities),
        **worker_options,
    )
    running = RunningWorker(worker, task_queue, executor, _status_widget() if show_status else None)
    counter.owner = running
    running.workflows = list(workflows)
    running.workflow_executor = workflow_executor
    running.workflow_threads = workflow_threads if workflow_executor is not None else None
    running.key = key
    _workers[key] = running
    running._launch()
    from .connection import watch_server

    watch_server()
    return running


def set_server_state(client: Client, problem: str | None, note: str | None = None) -> None:
    """Show on the status line of every worker using ``client`` whether its server answers."""
    for running in list(_workers.values()):
        if running.worker.client is client:
            running.server_problem, running.server_note = problem, note
            running.refresh()


def _worker_key(task_queue: str, deployment_config: Any = None) -> str:
    """A worker replaces the one with the same key: its task queue, plus its deployment version
    when it has one (Worker Versioning runs one worker per version on the same task queue)."""
    if deployment_config is None or not getattr(deployment_config, "use_worker_versioning", False):
        return task_queue
    return f"{task_queue} @ {deployment_config.version.to_canonical_string()}"


async def stop_worker(task_queue: str) -> bool:
    """Stop this kernel's worker for ``task_queue``; False when there was none."""
    running = _workers.get(task_queue)
    if running is None:
        return False
    await running.stop()
    return True


async def stop_all_workers() -> None:
    """Stop every worker of this kernel (the kernel's shutdown does this too)."""
    await asyncio.gather(*(w.stop() for w in list(_workers.values())), return_exceptions=True)
    for script in list(_scripts.values()):
        with contextlib.suppress(BaseException):
            await asyncio.to_thread(script.stop)


def running_workers() -> dict[str, RunningWorker]:
    """This kernel's workers by task queue."""
    return dict(_workers)


# --- reporting background problems -------------------------------------------------------------


class _WorkerLogHandler(logging.Handler):
    """Routes the SDK's worker warnings and errors to the status line of the worker they concern."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            info = getattr(record, "temporal_activity", None) or getattr(record, "temporal_workflow", None)
            queue = info.get("task_queue") if isinstance(info, dict) else None
            source = _worker_of_thread(record.threadName)
            if source is None and (record.threadName or "").startswith("workflows-"):
                return  # a replaced worker's late line: its status line is gone with it
            if source is None and queue in _workers:
                source = _workers[queue]
            targets = [source] if source is not None else list(_workers.values())
            message = record.getMessage().split("\n")[0]
            if record.exc_info and record.exc_info[1] is not None:
                message = f"{message}: {record.exc_info[1]}"
            details = logging.Formatter().format(record)
            for running in targets:
                running.report(message[:500], details)
            from_thread = _worker_of_thread(record.threadName)
            if isinstance(info, dict) and info.get("workflow_id") and from_thread is not None:
                _note_task_failure(from_thread, info["workflow_id"], record)
        except Exception:  # a log handler must never raise
            self.handleError(record)


def _worker_of_thread(thread_name: str | None) -> RunningWorker | None:
    """The running worker whose workflow thread pool this thread belongs to, if any."""
    for running in _workers.values():
        if running.workflow_threads and (thread_name or "").startswith(running.workflow_threads):
            return running
    return None


def _note_task_failure(running: RunningWorker, workflow_id: str, record: logging.LogRecord) -> None:
    """Remember a failed activation: after a worker re-run, only its own failures are current."""
    if not record.getMessage().startswith("Failed activation") or not record.exc_info:
        return
    exc = record.exc_info[1]
    stack = "".join(traceback.format_exception(exc)) if exc is not None else ""
    running.task_failures[workflow_id] = TaskFailure(record.created, str(exc), stack)


def _install_hooks() -> None:
    """Once per kernel: capture worker logs, and stop workers when the kernel shuts down."""
    if getattr(_install_hooks, "done", False):
        return
    _install_hooks.done = True  # type: ignore[attr-defined]
    handler = _WorkerLogHandler(level=logging.WARNING)
    for name in ("temporalio.worker", "temporalio.activity", "temporalio.workflow"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False  # shown in the status line, not as red boxes under random cells
    _hook_kernel_shutdown()


def _hook_kernel_shutdown() -> None:
    """Make the kernel's shutdown (and restart) stop the workers first, on the loop they run on."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
    except ImportError:
        kernel = None
    if kernel is None:
        return
    worker_loop = asyncio.get_running_loop()
    original = kernel.do_shutdown

    async def do_shutdown(restart: bool):
        future = asyncio.run_coroutine_threadsafe(stop_all_workers(), worker_loop)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.wrap_future(future), 10)
        result = original(restart)
        return await result if inspect.isawaitable(result) else result

    kernel.do_shutdown = do_shutdown


class _CountingInterceptor(Interceptor):
    """Counts completed activities for the status line (activities run outside the sandbox)."""

    def __init__(self) -> None:
        self.owner: RunningWorker | None = None

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        counter = self

        class Counting(ActivityInboundInterceptor):
            async def execute_activity(self, input: ExecuteActivityInput) -> Any:
                result = await super().execute_activity(input)
                if counter.owner is not None:
                    counter.owner.count_activity()
                return result

        return Counting(next)


# --- a script's worker, run the way a terminal would run it --------------------------------------

_scripts: dict[str, BackgroundScript] = {}


class BackgroundScript:
    """Runs a script's ``async main(stop)`` with ``asyncio.run`` on a thread of its own.

    That is how a worker script runs in a terminal (its own process and loop); here it shares the
    kernel's process, so it stops with the kernel and leaves nothing behind.
    """

    def __init__(self, name: str, main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        self.name = name
        self._main = main
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"script-{name}", daemon=True)

    def _run(self) -> None:
        async def body() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await self._main(self._stop)

        try:
            asyncio.run(body())
        except BaseException as exc:  # shown by stop() and the repr, not lost
            self.error = exc
        finally:
            self._started.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> BackgroundScript:
        old = _scripts.pop(self.name, None)
        if old is not None:
            old.stop()
        _scripts[self.name] = self
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None and self.running:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if _scripts.get(self.name) is self:
            del _scripts[self.name]
        if self.error is not None:
            raise self.error

    def __repr__(self) -> str:
        state = "running" if self.running else f"stopped ({self.error!r})" if self.error else "stopped"
        return f"<script {self.name}: {state}>"


def run_script_in_background(name: str, main: Callable[[asyncio.Event], Awaitable[None]]) -> BackgroundScript:
    """Start ``main(stop_event)`` in a background thread, replacing an earlier one of that name."""
    return BackgroundScript(name, main).start()
