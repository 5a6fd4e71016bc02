"""Record a replay: run a recorded history through workflow code, step by step, with the line that
made each command and the state at each step. The replay theatre widget plays the recording.

How: ``Replayer(workflow_runner=..., debug_mode=True)`` with a runner that wraps the sandboxed runner.
Its instances see every activation and the completion it returns. Inside each instance the SDK adds
a command through one method (``_add_command``): wrapping it sees *every* command, including those
that make no interceptor call (timers, ``wait_condition`` timeouts, ``patched`` markers, completion),
while the code that made it is still on the call stack, so ``sys._getframe()`` walks to the workflow's
line (``inspect.stack()`` would read files, which the sandbox blocks). After each activation the
recorder reads where each waiting coroutine stands (its ``cr_await`` chain). ``debug_mode`` turns the
SDK's 2 s deadlock detector off, which the tracing would otherwise trip.

Commands are matched to the history's events by id (activity id, ``timerId == str(seq)``, child
workflow id) and, where a command has no id, by order within its workflow task; each step says which.
A changed class stops where code and history part ways: the recording holds that step, the event the
history holds, the command the code issued instead (with its line), and the SDK's ``[TMPRL1100]`` text.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    Replayer,
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowRunner,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from .errors import _core_reason

REPR_CHARS = 80  # a value's repr is cut to this many characters (the widget's state panel is narrow)
MAX_NAMES = 12  # at most this many fields or locals per step

_E = EventType
# Which history event each kind of command records, and how the command names itself there.
_COMMAND_EVENTS: dict[str, int] = {
    "schedule_activity": _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    "start_timer": _E.EVENT_TYPE_TIMER_STARTED,
    "cancel_timer": _E.EVENT_TYPE_TIMER_CANCELED,
    "request_cancel_activity": _E.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
    "start_child_workflow_execution": _E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    "signal_external_workflow_execution": _E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    "request_cancel_external_workflow_execution": (
        _E.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED
    ),
    "set_patch_marker": _E.EVENT_TYPE_MARKER_RECORDED,
    "schedule_local_activity": _E.EVENT_TYPE_MARKER_RECORDED,
    "complete_workflow_execution": _E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    "fail_workflow_execution": _E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    "cancel_workflow_execution": _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    "continue_as_new_workflow_execution": _E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    "upsert_workflow_search_attributes": _E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    "modify_workflow_properties": _E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    "schedule_nexus_operation": _E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
}
_UPDATE_EVENTS = {
    "accepted": _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    "completed": _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
}
_COMMAND_EVENT_TYPES = {*_COMMAND_EVENTS.values(), *_UPDATE_EVENTS.values()}
_WFT_EVENTS = {
    _E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    _E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    _E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    _E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}


class TheatreUnavailable(Exception):
    """This replay cannot be recorded faithfully; the message says why in one line."""


def _cut(text: str, limit: int = REPR_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_repr(value: Any) -> str:
    try:
        return _cut(repr(value))
    except Exception as exc:  # a repr that raises must not stop the replay
        return f"<repr failed: {type(exc).__name__}>"


def _named_values(values: dict[str, Any]) -> list[list[str]]:
    names = [n for n in values if not n.startswith("__") and n != "self"][:MAX_NAMES]
    return [[name, _safe_repr(values[name])] for name in names]


def event_label(event_type: int) -> str:
    """``EVENT_TYPE_TIMER_STARTED`` → ``TimerStarted``."""
    raw = EventType.Name(event_type).removeprefix("EVENT_TYPE_")
    return "".join(word.capitalize() for word in raw.split("_"))


# --- what the recorder sees while the code runs ---------------------------------------------------


@dataclass
class Spot:
    """A place in the workflow code: line, function, and that frame's locals (repr, cut)."""

    line: int
    function: str
    locals: list[list[str]] = field(default_factory=list)


@dataclass
class CommandSeen:
    """One command the code issued, with the line that issued it and the state at that moment."""

    kind: str  # the command's field name, e.g. "schedule_activity"
    label: str  # e.g. "schedule activity charge_payment"
    match_id: str  # id to find its event by ("" when the command carries none)
    event_type: int  # the event type it records (0: none)
    spot: Spot | None
    fields: list[list[str]]
    note: str = ""


@dataclass
class ActivationSeen:
    """One activation: its place in the history, its jobs, commands, and what waits afterwards."""

    history_length: int
    jobs: list[str]
    commands: list[CommandSeen]
    waiting: list[dict[str, Any]]  # [{"function", "line"}] for each coroutine still waiting
    fields: list[list[str]]
    patch_calls: list[dict[str, Any]]  # patched(...) calls: id, result, line
    failure: str = ""  # what the code raised in this activation ("" when nothing)
    failure_line: int | None = None


class _Watch:
    """State of one workflow instance being recorded (one per replayed run)."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.activations: list[ActivationSeen] = []
        self.pending: list[tuple[int, Spot | None, list[list[str]]]] = []  # (index, spot, fields)
        self.patch_calls: list[dict[str, Any]] = []
        self.last_return: Spot | None = None  # the last workflow frame that returned or suspended
        self.impl: Any = None
        self.error = ""  # why recording stopped, if it did

    def workflow_frame(self, frame: FrameType | None) -> FrameType | None:
        while frame is not None and frame.f_code.co_filename not in self.files:
            frame = frame.f_back
        return frame

    def spot(self, frame: FrameType | None) -> Spot | None:
        found = self.workflow_frame(frame)
        if found is None:
            return None
        return Spot(found.f_lineno, found.f_code.co_name, _named_values(dict(found.f_locals)))

    def fields(self) -> list[list[str]]:
        obj = getattr(self.impl, "_object", None)
        return _named_values(dict(vars(obj))) if obj is not None else []

    def waiting(self) -> list[dict[str, Any]]:
        """Where each of the workflow's coroutines stands: the deepest frame in the workflow's code."""
        found = []
        for task in list(getattr(self.impl, "_tasks", ())):
            awaitable: Any = task.get_coro()
            deepest = None
            while awaitable is not None:
                frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
                if frame is not None and frame.f_code.co_filename in self.files:
                    deepest = frame
                awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
            if deepest is not None:
                found.append({"function": deepest.f_code.co_name, "line": deepest.f_lineno})
        return sorted(found, key=lambda spot: spot["line"])


def _sandboxed_impl(instance: WorkflowInstance) -> Any:
    """The SDK's workflow instance (the object that is the workflow's event loop), in or out of the
    sandbox. Raises TheatreUnavailable when this SDK keeps it elsewhere."""
    impl = instance
    in_sandbox = getattr(instance, "globals_and_locals", {}).get("__temporal_in_sandbox")
    if in_sandbox is not None:
        impl = in_sandbox.instance
    if not all(hasattr(impl, name) for name in ("_add_command", "_tasks", "_object", "workflow_patch")):
        raise TheatreUnavailable(
            "this temporalio version keeps its workflow instance differently; the theatre needs 1.35"
        )
    return impl


class _RecordingInstance(WorkflowInstance):
    """Wraps an instance: records each activation, the commands of its completion, and who made them."""

    def __init__(self, inner: WorkflowInstance, watch: _Watch) -> None:
        self._inner = inner
        self._watch = watch
        self._hooked = False

    def _hook(self) -> None:
        watch = self._watch
        impl = watch.impl = _sandboxed_impl(self._inner)
        add_command = impl._add_command
        patch = impl.workflow_patch

        def recording_add_command() -> Any:
            index = len(impl._current_completion.successful.commands)
            try:
                watch.pending.append((index, watch.spot(sys._getframe(1)), watch.fields()))
            except Exception as exc:
                watch.error = watch.error or f"the recorder failed: {exc!r}"
            return add_command()

        def recording_patch(patch_id: str, **kwargs: Any) -> bool:
            result = patch(patch_id, **kwargs)
            try:
                spot = watch.spot(sys._getframe(1))
                watch.patch_calls.append({"patch_id": patch_id, "result": result, "line": spot and spot.line})
            except Exception as exc:
                watch.error = watch.error or f"the recorder failed: {exc!r}"
            return result

        impl._add_command = recording_add_command
        impl.workflow_patch = recording_patch
        self._hooked = True

    def activate(self, act: Any) -> Any:
        # Nothing here may raise: an exception out of an activation makes the replayer retry its
        # eviction for ever. A recorder that fails stops recording and says why afterwards.
        watch = self._watch
        if watch.error:
            return self._inner.activate(act)
        try:
            if not self._hooked:
                self._hook()
            watch.pending, watch.patch_calls = [], []
        except Exception as exc:
            watch.error = str(exc) if isinstance(exc, TheatreUnavailable) else f"the recorder failed: {exc!r}"
            return self._inner.activate(act)
        previous = sys.gettrace()
        sys.settrace(self._tracer)
        try:
            completion = self._inner.activate(act)
        finally:
            sys.settrace(previous)
        try:
            self._record(act, completion)
        except Exception as exc:
            watch.error = f"the recorder failed: {exc!r}"
        return completion

    def _record(self, act: Any, completion: Any) -> None:
        watch = self._watch
        jobs = [job.WhichOneof("variant") or "" for job in act.jobs]
        if jobs == ["remove_from_cache"]:
            return
        commands = list(completion.successful.commands)
        seen = dict((index, (spot, fields)) for index, spot, fields in watch.pending)
        recorded = []
        for index, command in enumerate(commands):
            spot, fields = seen.get(index, (None, watch.fields()))
            kind = command.WhichOneof("variant") or ""
            if spot is None and kind in _FINISHING:
                spot = watch.last_return  # the run returned: the line it returned from
            recorded.append(_describe(command, kind, spot, fields))
        failure, failure_line = "", None
        if completion.HasField("failed"):  # the code raised: where, in the workflow's own file
            failed = completion.failed.failure
            failure = f"{failed.application_failure_info.type or 'an exception'}: {failed.message}"
            found = [
                int(n)
                for f, n in re.findall(r'File "([^"]+)", line (\d+)', failed.stack_trace)
                if f in watch.files
            ]
            failure_line = found[-1] if found else None
        watch.activations.append(
            ActivationSeen(
                act.history_length,
                jobs,
                recorded,
                watch.waiting(),
                watch.fields(),
                watch.patch_calls,
                failure,
                failure_line,
            )
        )

    def _tracer(self, frame: FrameType, event: str, _arg: Any) -> Callable | None:
        """Follows only the workflow's own frames, and only their returns (a coroutine that suspends
        at an ``await`` also "returns"): the completion command is added after ``run`` has returned."""
        if frame.f_code.co_filename not in self._watch.files:
            return None
        frame.f_trace_lines = False
        return self._on_return

    def _on_return(self, frame: FrameType, event: str, _arg: Any) -> Callable | None:
        if event == "return":
            self._watch.last_return = Spot(
                frame.f_lineno, frame.f_code.co_name, _named_values(dict(frame.f_locals))
            )
        return self._on_return

    def get_serialization_context(self, command_info: Any) -> Any:
        return self._inner.get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        return self._inner.get_external_store_context(command_info)

    def get_info(self) -> workflow.Info:
        return self._inner.get_info()

    def get_thread_id(self) -> int | None:
        return self._inner.get_thread_id()


_FINISHING = {
    "complete_workflow_execution",
    "fail_workflow_execution",
    "continue_as_new_workflow_execution",
    "cancel_workflow_execution",
}


def _describe(command: Any, kind: str, spot: Spot | None, fields: list[list[str]]) -> CommandSeen:
    """A command as the learner reads it, and the id its event carries."""
    body = getattr(command, kind) if kind else None
    label, match_id, event_type = kind.replace("_", " "), "", _COMMAND_EVENTS.get(kind, 0)
    if kind == "schedule_activity":
        label, match_id = f"schedule activity {body.activity_type}", body.activity_id
    elif kind == "schedule_local_activity":
        label = f"run local activity {body.activity_type}"
    elif kind == "start_timer":
        seconds = body.start_to_fire_timeout.ToTimedelta().total_seconds()
        label, match_id = f"start timer {seconds:g} s", str(body.seq)
    elif kind == "cancel_timer":
        label, match_id = "cancel timer", str(body.seq)
    elif kind == "start_child_workflow_execution":
        label, match_id = f"start child workflow {body.workflow_type} ({body.workflow_id})", body.workflow_id
    elif kind == "signal_external_workflow_execution":
        label = f"signal {body.signal_name} to another workflow"
    elif kind == "set_patch_marker":
        label = f"record patch marker {body.patch_id!r}"
    elif kind == "update_response":
        which = body.WhichOneof("response") or ""
        label, event_type = f"update {which}", _UPDATE_EVENTS.get(which, 0)
    elif kind == "complete_workflow_execution":
        label = "complete the workflow"
    elif kind == "fail_workflow_execution":
        label = f"fail the workflow: {_cut(body.failure.message)}"
    return CommandSeen(kind, label, match_id, event_type, spot, fields)


class _RecordingRunner(WorkflowRunner):
    """The sandboxed runner, with every instance it creates recorded."""

    def __init__(self, files: set[str]) -> None:
        self._inner = SandboxedWorkflowRunner()
        self.watches: list[_Watch] = []
        self._files = files

    def prepare_workflow(self, defn: Any) -> None:
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        watch = _Watch(self._files)
        self.watches.append(watch)
        return _RecordingInstance(self._inner.create_instance(det), watch)

    def set_worker_level_failure_exception_types(self, types: Sequence[type[BaseException]]) -> None:
        self._inner.set_worker_level_failure_exception_types(types)


# --- the recording: steps built from the history and what the code did ----------------------------


@dataclass
class Step:
    """What the page shows at one step: an event of the history, the line lit, the state."""

    event: int  # the history event's id (0: none)
    line: int | None
    caption: str
    fields: list[list[str]] = field(default_factory=list)
    locals: list[list[str]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    command: str = ""  # the command the code issued at this step
    matched: str = ""  # "by id" | "by order" | ""
    diverged: bool = False
    note: str = ""  # e.g. what a patched(...) call decided on the way to this command


@dataclass
class Recording:
    """A whole replay, ready for the page (``to_json``) and for tests."""

    workflow: str
    workflow_type: str
    workflow_id: str
    file: str
    first_line: int
    source: list[str]
    events: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    steps: list[Step]
    divergence: dict[str, Any] | None
    failure: str  # the SDK's replay failure text ("" when it replayed clean)
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def step_for_event(self, event_id: int) -> Step:
        return next(step for step in self.steps if step.event == event_id)

    @property
    def divergence_step(self) -> Step | None:
        return next((step for step in self.steps if step.diverged), None)


def _event_id_text(event: HistoryEvent) -> str:
    """The id an event carries for matching (as the command carries it), "" when none."""
    which = event.WhichOneof("attributes")
    attrs = getattr(event, which) if which else None
    if event.event_type == _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return attrs.activity_id
    if event.event_type in (_E.EVENT_TYPE_TIMER_STARTED, _E.EVENT_TYPE_TIMER_CANCELED):
        return attrs.timer_id
    if event.event_type == _E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        return attrs.workflow_id
    return ""


def _source_of(workflow_class: type) -> tuple[str, int, list[str]]:
    """The class's file, first line and lines: read here, outside the sandbox (which blocks files)."""
    file = inspect.getsourcefile(workflow_class) or ""
    lines, first = inspect.getsourcelines(workflow_class)
    return file, first, [line.rstrip("\n") for line in lines]


def _check_sandboxable(workflow_class: type) -> None:
    module = sys.modules.get(workflow_class.__module__)
    if workflow_class.__module__ == "__main__" or not getattr(module, "__file__", None):
        raise TheatreUnavailable(
            f"{workflow_class.__name__} is defined in a notebook cell: the sandbox re-imports a workflow "
            "from its module file, so write it in a %%module_file cell and replay that"
        )
    if workflow._Definition.from_class(workflow_class) is None:
        raise TheatreUnavailable(f"{workflow_class.__name__} is not a @workflow.defn class")


@functools.cache
def _quiet_runtime() -> Any:
    """One SDK runtime whose core logs go to Python logging, not the kernel's stderr: a replay that
    parts from its history is the expected outcome here, not a warning to print."""
    from .connection import notebook_runtime

    return notebook_runtime()


async def record_replay(history: WorkflowHistory, workflow_class: type) -> Recording:
    """Replay ``history`` through ``workflow_class`` (sandbox on) and record every step."""
    _check_sandboxable(workflow_class)
    file, first, source = _source_of(workflow_class)
    files = {file, str(Path(file).resolve())}
    runner = _RecordingRunner(files)
    replayer = Replayer(
        workflows=[workflow_class], workflow_runner=runner, debug_mode=True, runtime=_quiet_runtime()
    )
    hook = sys.breakpointhook  # debug_mode sets the SDK's own for good: the kernel keeps its own
    try:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    finally:
        sys.breakpointhook = hook
    failure = _core_reason(str(result.replay_failure)) if result.replay_failure else ""
    type_name = workflow._Definition.must_from_class(workflow_class).name or workflow_class.__name__
    started = history.events[0].workflow_execution_started_event_attributes.workflow_type.name
    if started != type_name:
        raise TheatreUnavailable(
            f"the history is a run of workflow type {started!r}, but {workflow_class.__name__} is "
            f"registered as {type_name!r}: replay it with a class of that type"
        )
    if runner.watches and runner.watches[0].error:
        raise TheatreUnavailable(runner.watches[0].error)
    if not runner.watches or not runner.watches[0].activations:
        raise TheatreUnavailable(
            f"the replay never ran the workflow code: {_cut(failure, 200) or 'no activation'}"
        )
    activations = runner.watches[0].activations
    return _build(history, workflow_class, type_name, file, first, source, activations, failure)


def _build(
    history: WorkflowHistory,
    workflow_class: type,
    type_name: str,
    file: str,
    first: int,
    source: list[str],
    activations: list[ActivationSeen],
    failure: str,
) -> Recording:
    from ..widgets.history import event_details

    events = list(history.events)
    if any(event.event_id != number for number, event in enumerate(events, 1)):
        raise TheatreUnavailable("the history has gaps (event ids are not 1, 2, 3, …): fetch it whole")
    tasks: list[dict[str, Any]] = []
    task_of: dict[int, int] = {}
    current = -1
    for event in events:
        if event.event_type == _E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED or current < 0:
            tasks.append({"index": len(tasks), "first": event.event_id, "last": event.event_id, "started": 0})
            current = len(tasks) - 1
        tasks[current]["last"] = event.event_id
        if event.event_type == _E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            tasks[current]["started"] = event.event_id
        task_of[event.event_id] = current
    # Each workflow task's activations (by the history length core reports) and its command events.
    commands_of: dict[int, list[CommandSeen]] = {}
    after_of: dict[int, ActivationSeen] = {}
    for activation in activations:
        task = task_of.get(activation.history_length)
        if task is None:
            continue
        commands_of.setdefault(task, []).extend(c for c in activation.commands if c.event_type)
        after_of[task] = activation
    notes: list[str] = []
    steps_by_event: dict[int, Step] = {}
    divergence: dict[str, Any] | None = None
    by_order_seen = False
    for task in tasks:
        completed = next(
            (
                e
                for e in events[task["first"] - 1 : task["last"]]
                if e.event_type == _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
            ),
            None,
        )
        if completed is None:
            continue
        end = _task_end(events, completed.event_id)
        expected = [
            e
            for e in events[completed.event_id : end]  # event ids count from 1: these follow the completion
            if e.event_type in _COMMAND_EVENT_TYPES
            and _completed_by(e) in (completed.event_id, 0)
            and not _recorded_by_core(e)
        ]
        issued = commands_of.get(task["index"], [])
        decided = [
            call
            for a in activations
            if task_of.get(a.history_length) == task["index"]
            for call in a.patch_calls
        ]
        patch_note = "; ".join(_patch_note(call) for call in decided)
        raised = next(
            (a for a in activations if task_of.get(a.history_length) == task["index"] and a.failure), None
        )
        if raised is not None:  # the code raised: replay stops at the task's first command event
            held = expected[0] if expected else completed
            divergence = {
                "event": held.event_id,
                "event_name": event_label(held.event_type),
                "command": f"nothing: the code raised {_cut(raised.failure, 200)}",
                "line": raised.failure_line,
                "locals": [],
                "fields": raised.fields,
                "message": failure or raised.failure,
            }
            break
        for position in range(max(len(expected), len(issued))):
            event = expected[position] if position < len(expected) else None
            command = issued[position] if position < len(issued) else None
            if event is not None and command is not None and _matches(event, command):
                matched = "by id" if command.match_id else "by order"
                by_order_seen |= matched == "by order"
                steps_by_event[event.event_id] = _command_step(event, command, matched)
                if patch_note and position == 0:
                    steps_by_event[event.event_id].note = patch_note
                continue
            if not failure or divergence is not None:
                continue
            held = event or _next_event(events, completed.event_id, expected)
            divergence = _divergence(held, command, failure, after_of.get(task["index"]))
            break
        if divergence is not None:
            break
    if by_order_seen:
        notes.append(
            "Commands without an id (markers, completion, updates) were matched by order within their task."
        )
    described = {event.event_id: event_details(event) for event in events}  # once each: it decodes payloads
    steps = _steps(events, tasks, task_of, steps_by_event, after_of, workflow_class, divergence, described)
    for step in steps:  # a handler's or run's first line is its decorator: light its def instead
        while (
            step.line
            and 0 <= step.line - first < len(source)
            and source[step.line - first].lstrip()[:1] == "@"
        ):
            step.line += 1
    if failure and divergence is None:
        notes.append(f"The replay failed without a command that parts from the history: {_cut(failure, 300)}")
    event_rows = [
        {
            "id": e.event_id,
            "name": event_label(e.event_type),
            "details": described[e.event_id],
            "task": task_of[e.event_id],
        }
        for e in events
    ]
    return Recording(
        workflow=workflow_class.__name__,
        workflow_type=type_name,
        workflow_id=history.workflow_id,
        file=Path(file).name,
        first_line=first,
        source=source,
        events=event_rows,
        tasks=tasks,
        steps=steps,
        divergence=divergence,
        failure=failure,
        notes=notes,
    )


def _patch_note(call: dict[str, Any]) -> str:
    where = f" at line {call['line']}" if call.get("line") else ""
    if call["result"]:
        return (
            f"patched({call['patch_id']!r}){where} returned True: the new path runs (its marker is recorded)"
        )
    return (
        f"patched({call['patch_id']!r}){where} returned False: this history was recorded before the patch "
        "(no marker), so the old path runs"
    )


PATCH_ATTRIBUTE = "TemporalChangeVersion"


def _recorded_by_core(event: HistoryEvent) -> bool:
    """The search attribute upsert the SDK's core adds after a patch marker: no command of the code."""
    if event.event_type != _E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        return False
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    return set(fields) == {PATCH_ATTRIBUTE}


def _completed_by(event: HistoryEvent) -> int:
    which = event.WhichOneof("attributes")
    return int(getattr(getattr(event, which), "workflow_task_completed_event_id", 0) or 0) if which else 0


def _task_end(events: list[HistoryEvent], completed_id: int) -> int:
    """The last event a task's commands can have recorded: before the next workflow task's start."""
    for event in events[completed_id:]:
        if event.event_type == _E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            return event.event_id
    return events[-1].event_id


def _next_event(
    events: list[HistoryEvent], completed_id: int, expected: list[HistoryEvent]
) -> HistoryEvent | None:
    last = expected[-1].event_id if expected else completed_id
    return next((e for e in events if e.event_id > last), None)


def _matches(event: HistoryEvent, command: CommandSeen) -> bool:
    if event.event_type != command.event_type:
        return False
    if command.kind == "schedule_activity":
        attrs = event.activity_task_scheduled_event_attributes
        return attrs.activity_id == command.match_id and command.label.endswith(attrs.activity_type.name)
    if command.match_id:
        return _event_id_text(event) == command.match_id
    return True


def _command_step(event: HistoryEvent, command: CommandSeen, matched: str) -> Step:
    spot = command.spot
    return Step(
        event=event.event_id,
        line=spot.line if spot else None,
        caption=f"the code issued: {command.label}" + (f" (in {spot.function})" if spot else ""),
        fields=command.fields,
        locals=spot.locals if spot else [],
        command=command.label,
        matched=matched,
    )


def _divergence(
    held: HistoryEvent | None, command: CommandSeen | None, failure: str, after: ActivationSeen | None
) -> dict[str, Any]:
    spot = command.spot if command else None
    waiting = after.waiting if after else []
    if command is not None:
        issued = f"{command.label}" + (f" at line {spot.line}" if spot else "")
    else:
        where = ", ".join(f"line {w['line']}" for w in waiting) or "nowhere"
        issued = f"no command: the code waits at {where}"
    return {
        "event": held.event_id if held is not None else 0,
        "event_name": event_label(held.event_type) if held is not None else "(the history ends here)",
        "command": issued,
        "line": spot.line if spot else (waiting[0]["line"] if waiting else None),
        "locals": spot.locals if spot else [],
        "fields": command.fields if command else (after.fields if after else []),
        "message": failure,
    }


def _steps(
    events: list[HistoryEvent],
    tasks: list[dict[str, Any]],
    task_of: dict[int, int],
    command_steps: dict[int, Step],
    after_of: dict[int, ActivationSeen],
    workflow_class: type,
    divergence: dict[str, Any] | None,
    details: dict[int, str],
) -> list[Step]:
    """One step per history event up to where replay stopped; command events carry the code's line,
    the others where the code waited then."""
    run_line = _run_line(workflow_class)
    handlers = _handler_lines(workflow_class)
    update_names = _update_names(events)
    steps: list[Step] = []
    waiting: list[dict[str, Any]] = []
    fields: list[list[str]] = []
    for event in events:
        if divergence is not None and event.event_id == divergence["event"]:
            steps.append(
                Step(
                    event=event.event_id,
                    line=divergence["line"],
                    caption=f"replay stops: the history holds {divergence['event_name']}, "
                    f"the code issued {divergence['command']}",
                    fields=divergence["fields"],
                    locals=divergence["locals"],
                    waiting=waiting,
                    command=divergence["command"],
                    diverged=True,
                )
            )
            break
        if event.event_id in command_steps:
            step = command_steps[event.event_id]
            step.waiting = waiting
            if step.line is None:
                step.line = _update_handler_line(event, update_names, handlers)
            steps.append(step)
            fields = step.fields or fields
            continue
        task = tasks[task_of[event.event_id]]
        name = event_label(event.event_type)
        line: int | None = waiting[0]["line"] if waiting else None
        caption = f"{name}: {details[event.event_id]}" if details[event.event_id] else name
        if event.event_type == _E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            line, caption = run_line, f"the run starts: {details[event.event_id]}"
        elif event.event_type == _E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signal = event.workflow_execution_signaled_event_attributes.signal_name
            line = handlers.get(signal, line)
            caption = f"signal {signal!r} arrives: its handler runs in the next workflow task"
        elif event.event_type == _E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            caption = "workflow task: the code runs from where it waits until every coroutine waits again"
        elif event.event_type == _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            done = after_of.get(task["index"])
            if done is not None:
                waiting, fields = done.waiting, done.fields
                line = waiting[0]["line"] if waiting else line
            caption = "the task's commands follow; " + (
                "the code now waits at " + ", ".join(f"line {w['line']} ({w['function']})" for w in waiting)
                if waiting
                else "no coroutine waits"
            )
        elif _recorded_by_core(event):
            caption = (
                f"{name}: the SDK records the patch as search attribute {PATCH_ATTRIBUTE} (no code line)"
            )
        elif event.event_type in _COMMAND_EVENT_TYPES:
            caption = f"{name} (no command of this replay matched it)"
        steps.append(Step(event=event.event_id, line=line, caption=caption, fields=fields, waiting=waiting))
    return steps


def _run_line(workflow_class: type) -> int | None:
    defn = workflow._Definition.must_from_class(workflow_class)
    code = getattr(defn.run_fn, "__code__", None)
    return code.co_firstlineno if code else None


def _handler_lines(workflow_class: type) -> dict[str, int]:
    """The first line of each named signal and update handler."""
    defn = workflow._Definition.must_from_class(workflow_class)
    lines = {}
    for name, handler in [*defn.signals.items(), *defn.updates.items()]:
        code = getattr(handler.fn, "__code__", None)
        if name and code:
            lines[name] = code.co_firstlineno
    return lines


def _update_names(events: list[HistoryEvent]) -> dict[str, str]:
    """Update id → update name, from the history's accepted updates."""
    return {
        e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id: (
            e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        )
        for e in events
        if e.event_type == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    }


def _update_handler_line(event: HistoryEvent, names: dict[str, str], handlers: dict[str, int]) -> int | None:
    """An update's response is issued before its handler's first line runs: light the handler."""
    if event.event_type == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        update_id = event.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
    elif event.event_type == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        update_id = event.workflow_execution_update_completed_event_attributes.meta.update_id
    else:
        return None
    return handlers.get(names.get(update_id, ""))
