"""Lesson 04 exercise: a workflow that retries a busy service but not an error that cannot heal.

The learner writes the "ExchangeRate" workflow in a ``%%module_file exercise04`` cell. The check
runs it twice with the lesson's ``fetch_exchange_rate`` activity: for "EUR" (busy on the first
attempt, so it needs a retry) and for "XXX" (an unknown currency: it must fail without retrying).
"""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.exceptions import ActivityError, RetryState

from temporal_notebooks.activities.activities_lesson import EXCHANGE_RATES, fetch_exchange_rate
from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    ExerciseRun,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    run_exercise,
)

MODULE = "exercise04"
TYPE_NAME = "ExchangeRate"
KNOWN, UNKNOWN = "EUR", "XXX"
KNOWN_TIMEOUT_S = 8.0  # one retry with the default policy takes ~1 s
UNKNOWN_TIMEOUT_S = 4.0  # failing at once takes ~0.1 s; still retrying after this is the bug


NON_RETRYABLE_TYPE = "UnknownCurrency"
ADVICE = (
    'Retrying cannot fix an unknown currency: list "UnknownCurrency" in the retry policy\'s '
    "non_retryable_error_types."
)


def _retry_state(failure: BaseException) -> RetryState | None:
    cause = getattr(failure, "cause", None)
    return cause.retry_state if isinstance(cause, ActivityError) else None


def _listed_types(run: ExerciseRun) -> list[str]:
    """The non_retryable_error_types of the policy the workflow scheduled the activity with."""
    scheduled = run.of_type(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    if not scheduled:
        return []
    return list(scheduled[0].activity_task_scheduled_event_attributes.retry_policy.non_retryable_error_types)


def _still_retrying(run: ExerciseRun, how: str) -> CheckResult:
    listed = _listed_types(run)
    if listed:
        return not_yet(
            f"for '{UNKNOWN}' {how}: your policy lists {listed} as non-retryable, but the activity's "
            f'error type is "{NON_RETRYABLE_TYPE}" (an ApplicationError\'s type=..., not a class name).'
        )
    return not_yet(f"for '{UNKNOWN}' {how}. {ADVICE}")


async def check(client: Client) -> CheckResult:
    """Pass when "ExchangeRate" returns the EUR rate after a retry and fails at once for "XXX"."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class

    run = await run_exercise(
        client, workflow_class, KNOWN, activities=[fetch_exchange_rate], timeout_s=KNOWN_TIMEOUT_S
    )
    if isinstance(run.error, TimeoutError):
        return not_yet(f"for '{KNOWN}' there was no result after {KNOWN_TIMEOUT_S:.0f} s: long retry waits?")
    if run.error is not None:
        state = _retry_state(run.error)
        if state == RetryState.MAXIMUM_ATTEMPTS_REACHED:
            return not_yet(
                f"for '{KNOWN}' it gave up: {explain(run.error)}. The service is busy on the first "
                "attempt, so allow more attempts (maximum_attempts > 1, or no limit)."
            )
        if state == RetryState.NON_RETRYABLE_FAILURE:
            return not_yet(
                f"for '{KNOWN}' the busy service was not retried ({explain(run.error)}): a busy service "
                f'is worth retrying; list only "{NON_RETRYABLE_TYPE}" as non-retryable.'
            )
        return not_yet(f"for '{KNOWN}' the workflow failed: {failure_text(run.error)}")
    if run.result != EXCHANGE_RATES[KNOWN]:
        return not_yet(
            f"for '{KNOWN}' it returned {run.result!r}; expected the activity's {EXCHANGE_RATES[KNOWN]}"
        )

    unknown = await run_exercise(
        client, workflow_class, UNKNOWN, activities=[fetch_exchange_rate], timeout_s=UNKNOWN_TIMEOUT_S
    )
    if isinstance(unknown.error, TimeoutError):
        return _still_retrying(unknown, f"it was still retrying after {UNKNOWN_TIMEOUT_S:.0f} s")
    if unknown.error is None:
        return not_yet(
            f"for '{UNKNOWN}' it returned {unknown.result!r}; an unknown currency should fail the "
            "workflow, not be hidden behind a made-up value."
        )
    state = _retry_state(unknown.error)
    if state == RetryState.NON_RETRYABLE_FAILURE:
        return passed(
            f"'{KNOWN}' → {run.result} after a retry; '{UNKNOWN}' failed at once without retrying "
            f"({explain(unknown.error)})."
        )
    if state == RetryState.MAXIMUM_ATTEMPTS_REACHED:
        return _still_retrying(unknown, "it retried until the attempts ran out")
    if state == RetryState.TIMEOUT:
        return _still_retrying(unknown, "it retried until the activity's timeout ran out")
    if state is None:
        return not_yet(
            f"for '{UNKNOWN}' the workflow failed on its own ({failure_text(unknown.error)}), not with the "
            "activity's error: the activity knows which currencies exist. Call it for every currency, "
            f'and let its "{NON_RETRYABLE_TYPE}" fail the workflow at once (non_retryable_error_types).'
        )
    return not_yet(f"for '{UNKNOWN}' the workflow failed, but not as expected: {failure_text(unknown.error)}")
