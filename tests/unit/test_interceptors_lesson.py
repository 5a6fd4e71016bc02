"""Lesson 11's interceptor section on the dev server: the same bad input uses up the retry policy on
a plain worker, and fails at its first attempt, non-retryable, on a worker with the interceptor."""

from __future__ import annotations

import concurrent.futures
import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from temporal_notebooks.activities.interceptors_lesson import NonRetryableValueErrors, parse_amount
from temporal_notebooks.workflows.interceptors_lesson import ParseAmountWorkflow


async def run(client: Client, text: str, interceptors: list) -> tuple[object, int]:
    """(the result or the failure's root cause, the attempt number of the last attempt)."""
    task_queue = f"amount-{uuid.uuid4().hex[:6]}"
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[ParseAmountWorkflow],
            activities=[parse_amount],
            activity_executor=executor,
            interceptors=interceptors,
        ):
            handle = await client.start_workflow(
                ParseAmountWorkflow.run, text, id=f"amount-{uuid.uuid4().hex[:6]}", task_queue=task_queue
            )
            try:
                outcome: object = await handle.result()
            except WorkflowFailureError as failure:
                outcome = failure.cause.cause
    started = [
        e.activity_task_started_event_attributes.attempt
        for e in (await handle.fetch_history()).events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    return outcome, started[-1]


async def test_without_the_interceptor_bad_input_is_retried(client: Client) -> None:
    cause, attempts = await run(client, "ten", [])
    assert attempts == 3
    assert isinstance(cause, ApplicationError) and cause.type == "ValueError" and not cause.non_retryable


async def test_with_the_interceptor_bad_input_fails_at_once(client: Client) -> None:
    audit = NonRetryableValueErrors()
    cause, attempts = await run(client, "ten", [audit])
    assert attempts == 1
    assert isinstance(cause, ApplicationError) and cause.type == "ValueError" and cause.non_retryable
    assert audit.calls == [
        "parse_amount attempt 1: ValueError(invalid literal for int() with base 10: 'ten') → non-retryable"
    ]


async def test_the_interceptor_passes_good_results_through(client: Client) -> None:
    audit = NonRetryableValueErrors()
    assert await run(client, "10", [audit]) == (10, 1)
    assert audit.calls == ["parse_amount attempt 1: returned 10"]


@pytest.mark.parametrize("text", ["", "1.5"])
def test_parse_amount_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)
