"""Lesson 02 workflows: parameters, old-shaped payloads, errors, payload limits.

Payload limits are checked by the worker against the limits the server announces, so those tests
run on the dev server (``client``); the rest run on the time-skipping test server (``env``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from temporal_notebooks.activities.parameters import (
    OrderInput,
    OrderQuote,
    ReportRef,
    ReportRequest,
    build_report,
    price_item,
    quote_order,
    render_report,
    store_report,
)
from temporal_notebooks.runtime import connect, explain
from temporal_notebooks.runtime.cli import temporal_cli
from temporal_notebooks.workflows.parameters import (
    InlineReportWorkflow,
    PriceWorkflow,
    QuoteWorkflow,
    ReportByReferenceWorkflow,
    RetryingInlineReportWorkflow,
)

WORKFLOWS = [
    PriceWorkflow,
    QuoteWorkflow,
    InlineReportWorkflow,
    RetryingInlineReportWorkflow,
    ReportByReferenceWorkflow,
]
ACTIVITIES = [price_item, quote_order, build_report, store_report]


@contextlib.asynccontextmanager
async def lesson_worker(client: Client) -> AsyncIterator[str]:
    queue = f"parameters-{uuid.uuid4()}"
    with concurrent.futures.ThreadPoolExecutor() as pool:
        async with Worker(
            client, task_queue=queue, workflows=WORKFLOWS, activities=ACTIVITIES, activity_executor=pool
        ):
            yield queue


def new_id() -> str:
    return f"parameters-{uuid.uuid4()}"


async def test_positional_parameters(env: WorkflowEnvironment) -> None:
    async with lesson_worker(env.client) as queue:
        result = await env.client.execute_workflow(
            PriceWorkflow.run, args=["tea", 2, "Ada"], id=new_id(), task_queue=queue
        )
    assert result == "Ada: 2 x tea = 9.00"


async def test_a_caller_with_the_old_positional_signature_gets_a_stuck_workflow_task(client: Client) -> None:
    """Two arguments for three positional parameters: the workflow task fails and is retried."""
    async with lesson_worker(client) as queue:
        handle = await client.start_workflow("PriceWorkflow", args=["tea", 2], id=new_id(), task_queue=queue)
        try:
            failure = await asyncio.wait_for(first_task_failure(handle), 10)
        finally:
            await handle.terminate("test over")
    assert "missing 1 required positional argument: 'customer'" in failure


async def first_task_failure(handle) -> str:
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return event.workflow_task_failed_event_attributes.failure.message
    raise AssertionError("the workflow closed without a workflow task failure")


async def test_one_dataclass_in_one_dataclass_out(env: WorkflowEnvironment) -> None:
    async with lesson_worker(env.client) as queue:
        quote = await env.client.execute_workflow(
            QuoteWorkflow.run,
            OrderInput("Ada", ["tea", "cake"], gift_wrap=True),
            id=new_id(),
            task_queue=queue,
        )
    assert quote == OrderQuote("Ada", ["tea: 4.50", "cake: 3.20", "gift wrap: 2.50"], 1020)


async def test_old_shaped_payload_gets_the_new_fields_default(env: WorkflowEnvironment) -> None:
    """A dict without ``gift_wrap`` is exactly the JSON an old caller sends."""
    async with lesson_worker(env.client) as queue:
        quote = await env.client.execute_workflow(
            "QuoteWorkflow", {"customer": "Bo", "items": ["scone"]}, id=new_id(), task_queue=queue
        )
    assert quote == {"customer": "Bo", "lines": ["scone: 2.90"], "total_cents": 290}


async def test_unknown_fields_are_ignored(env: WorkflowEnvironment) -> None:
    """A newer caller's extra field does not break an older workflow."""
    async with lesson_worker(env.client) as queue:
        quote = await env.client.execute_workflow(
            "QuoteWorkflow",
            {"customer": "Cy", "items": ["tea"], "loyalty_card": "X-1"},
            id=new_id(),
            task_queue=queue,
        )
    assert quote["total_cents"] == 450


async def test_the_cli_starts_the_workflow_with_an_old_shaped_json_input(client: Client) -> None:
    await connect(quiet=True)  # the CLI helper uses the notebooks' server: the test run's dev server
    async with lesson_worker(client) as queue:
        output = await temporal_cli(
            "workflow", "execute",
            "--type", "QuoteWorkflow",
            "--task-queue", queue,
            "--workflow-id", new_id(),
            "--input", json.dumps({"customer": "Dee", "items": ["coffee", "cake"]}),
        )  # fmt: skip
    assert output.ok, repr(output)
    assert "COMPLETED" in output.stdout
    assert '"total_cents":700' in output.stdout
    assert repr(output).startswith("$ temporal workflow execute --type QuoteWorkflow")


async def test_an_object_that_is_not_serializable_is_refused_before_anything_is_sent(client: Client) -> None:
    class Customer:  # a plain class: JSON does not know how to encode it
        def __init__(self, name: str) -> None:
            self.name = name

    workflow_id = new_id()
    with pytest.raises(TypeError, match="Object of type Customer is not JSON serializable"):
        await client.start_workflow(QuoteWorkflow.run, Customer("Ada"), id=workflow_id, task_queue="nowhere")
    with pytest.raises(Exception, match="not found"):
        await client.get_workflow_handle(workflow_id).describe()


async def test_application_error_fails_the_workflow_and_is_the_cause(env: WorkflowEnvironment) -> None:
    async with lesson_worker(env.client) as queue:
        handle = await env.client.start_workflow(
            QuoteWorkflow.run, OrderInput("Eve", []), id=new_id(), task_queue=queue
        )
        with pytest.raises(WorkflowFailureError) as caught:
            await handle.result()
        events = [event async for event in handle.fetch_history_events()]
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "EmptyOrder"
    assert cause.message == "An order needs at least one item (Eve sent none)"
    assert cause.details == ({"customer": "Eve"},)
    last = events[-1]
    assert last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    assert last.workflow_execution_failed_event_attributes.failure.message == cause.message
    assert explain(caught.value) == "The workflow failed: EmptyOrder: " + cause.message


async def test_an_activity_error_reaches_the_client_as_a_chain(env: WorkflowEnvironment) -> None:
    async with lesson_worker(env.client) as queue:
        with pytest.raises(WorkflowFailureError) as caught:
            await env.client.execute_workflow(
                PriceWorkflow.run, args=["pizza", 1, "Fay"], id=new_id(), task_queue=queue
            )
    assert isinstance(caught.value.cause, ActivityError)
    assert isinstance(caught.value.cause.cause, ApplicationError)
    assert caught.value.cause.cause.type == "UnknownItem"


def test_the_big_report_is_over_the_limit_and_the_small_one_is_not() -> None:
    assert len(render_report(100_000).encode()) > 2 * 1024 * 1024
    assert len(render_report(1_000).encode()) < 512 * 1024


async def test_small_report_inline(client: Client) -> None:
    async with lesson_worker(client) as queue:
        summary = await client.execute_workflow(
            InlineReportWorkflow.run, ReportRequest(1_000), id=new_id(), task_queue=queue
        )
    assert summary == f"1000 rows, {len(render_report(1_000).encode())} bytes"


async def test_a_result_over_2_mb_fails_the_activity_without_retries(client: Client) -> None:
    async with lesson_worker(client) as queue:
        handle = await client.start_workflow(
            InlineReportWorkflow.run, ReportRequest(100_000), id=new_id(), task_queue=queue
        )
        with pytest.raises(WorkflowFailureError) as caught:
            await asyncio.wait_for(handle.result(), 15)
    activity_error = caught.value.cause
    assert isinstance(activity_error, ActivityError)
    assert isinstance(activity_error.cause, ApplicationError)
    assert activity_error.cause.type == "PayloadsTooLarge"
    assert "exceeded the error limit" in activity_error.cause.message
    assert (
        activity_error.retry_state is not None and activity_error.retry_state.name == "NON_RETRYABLE_FAILURE"
    )
    assert "PayloadsTooLarge" in (explain(caught.value) or "")


async def test_with_default_retries_a_result_over_2_mb_is_retried_and_the_run_waits(client: Client) -> None:
    async with lesson_worker(client) as queue:
        handle = await client.start_workflow(
            RetryingInlineReportWorkflow.run, ReportRequest(100_000), id=new_id(), task_queue=queue
        )
        try:
            await asyncio.sleep(1.5)  # the first attempt fails within a fraction of a second
            pending = (await handle.describe()).raw_description.pending_activities
            events = [event async for event in handle.fetch_history_events()]
        finally:
            await handle.terminate("test over")
    assert len(pending) == 1
    assert pending[0].activity_type.name == "build_report"
    assert pending[0].attempt >= 2
    assert pending[0].last_failure.application_failure_info.type == "PayloadsTooLarge"
    assert events[-1].event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED  # nothing else recorded


async def test_the_report_by_reference(client: Client, tmp_path: Path) -> None:
    async with lesson_worker(client) as queue:
        workflow_id = new_id()
        ref = await client.execute_workflow(
            ReportByReferenceWorkflow.run,
            ReportRequest(100_000, str(tmp_path)),
            id=workflow_id,
            task_queue=queue,
        )
    assert isinstance(ref, ReportRef)
    data = Path(ref.path).read_bytes()
    assert Path(ref.path).parent == tmp_path and workflow_id in ref.path
    assert ref.size_bytes == len(data) > 2 * 1024 * 1024
    assert ref.sha256 == hashlib.sha256(data).hexdigest()
