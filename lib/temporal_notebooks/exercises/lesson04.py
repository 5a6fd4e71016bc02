"""Lesson 04 exercise: a workflow that retries a busy service but not an error that cannot heal.

The learner writes the "ExchangeRate" workflow in a ``%%module_file exercise04`` cell. The check
runs it twice with the lesson's ``fetch_exchange_rate`` activity: for "EUR" (busy on the first
attempt, so it needs a retry) and for "XXX" (an unknown currency: it must fail without retrying).
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, RetryState

from temporal_notebooks.activities.activities_lesson import EXCHANGE_RATES, fetch_exchange_rate
from temporal_notebooks.runtime.errors import explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    learner_workflow,
    not_yet,
    passed,
    run_exercise_workflow,
)

MODULE = "exercise04"
TYPE_NAME = "ExchangeRate"
KNOWN, UNKNOWN = "EUR", "XXX"
KNOWN_TIMEOUT_S = 8.0  # one retry with the default policy takes ~1 s
UNKNOWN_TIMEOUT_S = 4.0  # failing at once takes ~0.1 s; still retrying after this is the bug


def _retry_state(failure: WorkflowFailureError) -> RetryState | None:
    return failure.cause.retry_state if isinstance(failure.cause, ActivityError) else None


async def check(client: Client) -> CheckResult:
    """Pass when "ExchangeRate" returns the EUR rate after a retry and fails at once for "XXX"."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class

    try:
        rate = await run_exercise_workflow(
            client, workflow_class, KNOWN, activities=[fetch_exchange_rate], timeout_s=KNOWN_TIMEOUT_S
        )
    except WorkflowFailureError as failure:
        if _retry_state(failure) == RetryState.MAXIMUM_ATTEMPTS_REACHED:
            return not_yet(
                f"for '{KNOWN}' it gave up: {explain(failure)}. The service is busy on the first "
                "attempt, so allow more attempts (maximum_attempts > 1, or no limit)."
            )
        return not_yet(f"for '{KNOWN}' the workflow failed: {explain(failure)}")
    except TimeoutError:
        return not_yet(f"for '{KNOWN}' there was no result after {KNOWN_TIMEOUT_S:.0f} s: long retry waits?")
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or exc}")
    if rate != EXCHANGE_RATES[KNOWN]:
        return not_yet(f"for '{KNOWN}' it returned {rate!r}; expected the activity's {EXCHANGE_RATES[KNOWN]}")

    try:
        result = await run_exercise_workflow(
            client, workflow_class, UNKNOWN, activities=[fetch_exchange_rate], timeout_s=UNKNOWN_TIMEOUT_S
        )
    except WorkflowFailureError as failure:
        state = _retry_state(failure)
        if state == RetryState.NON_RETRYABLE_FAILURE:
            return passed(
                f"'{KNOWN}' → {rate} after a retry; '{UNKNOWN}' failed at once without retrying "
                f"({explain(failure)})."
            )
        if state == RetryState.MAXIMUM_ATTEMPTS_REACHED:
            return not_yet(
                f"for '{UNKNOWN}' it retried until the attempts ran out. Retrying cannot fix an unknown "
                'currency: list "UnknownCurrency" in the retry policy\'s non_retryable_error_types.'
            )
        return not_yet(f"for '{UNKNOWN}' the workflow failed, but not as expected: {explain(failure)}")
    except TimeoutError:
        return not_yet(
            f"for '{UNKNOWN}' it was still retrying after {UNKNOWN_TIMEOUT_S:.0f} s. Retrying cannot fix "
            'an unknown currency: list "UnknownCurrency" in the retry policy\'s non_retryable_error_types.'
        )
    except Exception as exc:
        return not_yet(f"running it for '{UNKNOWN}' failed: {explain(exc) or exc}")
    return not_yet(f"for '{UNKNOWN}' it returned {result!r}; an unknown currency should fail the workflow.")
