"""Lesson 05 exercise: add a step to a workflow that has runs in flight, without breaking them.

The learner changes the "Signup" workflow in a ``%%module_file exercise05`` cell: new signups
must be added to the newsletter between creating the account and the welcome email. The check
records a run of the old code (``SignupV1``) and replays it with the learner's code, the way
the worker would after a deploy (and that replay must return what version 1 returned), then runs
the new code, reads the order of its activities, and
replays that run too (a step chosen by anything but ``patched`` breaks there).
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import default as default_converter
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    Replayer,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from temporal_notebooks.activities.determinism import add_to_newsletter, create_account, send_welcome_email
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.workflows.determinism import SignupV1

MODULE = "exercise05"
TYPE_NAME = "Signup"
EMAIL = "ada@example.com"
NEW_ORDER = ["create_account", "add_to_newsletter", "send_welcome_email"]
OLD_ORDER = ["create_account", "send_welcome_email"]
RUN_TIMEOUT_S = 15.0


async def run_and_record(client: Client, workflow_class: type, email: str) -> WorkflowHistory:
    """Run ``workflow_class`` once on a worker of its own; return the finished run's history."""
    task_queue = scoped(f"check-{workflow_class.__name__}")
    activities = [create_account, add_to_newsletter, send_welcome_email]
    async with short_lived_worker(client, task_queue, workflows=[workflow_class], activities=activities):
        handle = await client.start_workflow(
            TYPE_NAME, email, id=scoped(f"check-signup-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        try:
            await result_in_time(handle, RUN_TIMEOUT_S)
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")
        return await handle.fetch_history()


def activity_order(history: WorkflowHistory) -> list[str]:
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


class _ResultCatcher(Interceptor):
    """Keeps what each replayed run returns: a replay compares the commands with the history, not
    the result, so an old run could replay and still end with a different value."""

    def __init__(self) -> None:
        self.results: list[Any] = []

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        results = self.results

        class _Inbound(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                result = await super().execute_workflow(input)
                results.append(result)
                return result

        return _Inbound


async def replay(workflow_class: type, history: WorkflowHistory) -> tuple[BaseException | None, list[Any]]:
    """(what broke the replay, or None; what the replayed run returned, [] if it did not return)."""
    catcher = _ResultCatcher()
    replayed = await Replayer(workflows=[workflow_class], interceptors=[catcher]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    return replayed.replay_failure, catcher.results


async def replay_failure(workflow_class: type, history: WorkflowHistory) -> BaseException | None:
    return (await replay(workflow_class, history))[0]


def recorded_result(history: WorkflowHistory) -> Any:
    """What the recorded run returned, from its WorkflowExecutionCompleted event."""
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            payloads = event.workflow_execution_completed_event_attributes.result.payloads
            return default_converter().payload_converter.from_payloads(payloads)[0] if payloads else None
    return None


def _records_a_patch(history: WorkflowHistory | None) -> bool:
    marker = EventType.EVENT_TYPE_MARKER_RECORDED
    return history is not None and any(e.event_type == marker for e in history.events)


def _old_run_breaks(
    failure: BaseException, new_order: list[str] | None, new_history: WorkflowHistory | None = None
) -> CheckResult:
    reason = failure_text(failure)
    if "Nondeterminism" not in str(failure):
        return not_yet(
            "a signup started before your change (recorded by SignupV1) cannot continue on your code: on "
            f"its path, where workflow.patched(...) is False, your code fails ({reason}). Keep everything "
            'the new step needs, and uses, inside `if workflow.patched("newsletter"):`.'
        )
    if new_order == NEW_ORDER and _records_a_patch(new_history):
        return not_yet(
            "your code records a patch, but a signup started before your change still takes the new step "
            f'({reason}). Run the step only when `if workflow.patched("newsletter"):` is True; '
            "deprecate_patch is for removing the old path later, once no old run is left."
        )
    if new_order == OLD_ORDER:
        return not_yet(
            "the patch is the wrong way round: a signup started before your change now takes the new "
            f"step ({reason}), and new signups skip it. The new step belongs inside "
            '`if workflow.patched("..."):`, not `if not workflow.patched(...)`.'
        )
    return not_yet(
        "a signup started before your change (recorded by SignupV1) cannot continue on your code: "
        f'{reason} Put the new step inside `if workflow.patched("newsletter"):`, so old runs skip it.'
    )


async def check(client: Client) -> CheckResult:
    """Pass when a run of SignupV1 replays with the learner's "Signup", new runs do all three steps
    in order, and a run of the learner's code replays with it too."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    try:
        old_history = await run_and_record(client, SignupV1, EMAIL)
        old_failure, old_results = await replay(workflow_class, old_history)
    except Exception as exc:
        return not_yet(f"replaying a run of the old code failed: {failure_text(exc)}")
    try:
        new_history = await run_and_record(client, workflow_class, EMAIL)
    except Exception as exc:
        if old_failure is not None:
            return _old_run_breaks(old_failure, None)
        return not_yet(f"running your workflow failed: {failure_text(exc)}")
    order = activity_order(new_history)
    if old_failure is not None:
        return _old_run_breaks(old_failure, order, new_history)
    old_result = recorded_result(old_history)
    if old_results and old_results[0] != old_result:
        return not_yet(
            f"a signup recorded by SignupV1 replays with your code, but there it returns {old_results[0]!r} "
            f"where it returned {old_result!r}: the old path must end as version 1 did. Change nothing "
            'for a run where workflow.patched("newsletter") is False: only append to steps inside the if.'
        )
    if "add_to_newsletter" not in order:
        return not_yet(
            f"a new signup ran {order}: it never reached add_to_newsletter. New runs must take the new "
            'step: workflow.patched("newsletter") is True for them.'
        )
    if order != NEW_ORDER:
        return not_yet(f"a new signup ran the activities {order}; expected {NEW_ORDER}.")
    own_failure = await replay_failure(workflow_class, new_history)
    if own_failure is not None:
        return not_yet(
            "a signup recorded by your own code does not replay with it: "
            f"{failure_text(own_failure)} A worker replays every run it picks up again, so the step "
            "must be chosen by workflow.patched(...), never by something that changes on replay "
            "(such as workflow.unsafe.is_replaying())."
        )
    return passed(
        "a signup recorded by the old code replays with yours, and a new signup runs "
        + " → ".join(order)
        + " and replays too."
    )
