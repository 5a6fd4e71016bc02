"""Notebook 16 (data converters and codecs) in a real kernel: twice top to bottom with its key
outputs, as JupyterLab's queued Run All; and what it shows, read back from the server: the stored
history of the encrypted run holds no readable payload and no card number."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs
from temporalio.client import Client

KEY_OUTPUTS = [
    # a payload, and why the Pydantic converter
    'value: "json/plain"',
    "⚠ TypeError: A value cannot be sent to Temporal: Object of type Decimal is not JSON serializable.",
    "UserWarning: If you're using Pydantic v2, use temporalio.contrib.pydantic.pydantic_data_converter.",
    "pay-1: 42.50 charged to the card ending 1111",
    "types kept: Receipt, amount Decimal, charged_at datetime",
    # the codec, from both sides
    "the workflow read its input: pay-1: 42.50 charged to the card ending 1111",
    "metadata: {'encoding': 'binary/encrypted', 'encryption-key-id': 'lesson-16-demo'}",
    "the card number in what the server stores: False",
    "decoded with the key: Ada Lovelace 42.50",
    "WorkflowExecutionStarted PaymentWorkflow · input: [binary/encrypted, ",
    "/namespaces/default/workflows/tester.payment-encrypted/",
    # failure messages: leaked, then sealed by encode_common_attributes
    "⚠ WorkflowFailureError: The workflow failed because an activity or child failed: "
    "card 4111 1111 1111 0000 was declined",
    "the server stores: card 4111 1111 1111 0000 was declined",
    "the server stores: Encoded failure",
    # a client and a worker that disagree: one line each
    "⚠ KeyError: This client cannot read the payload (Unknown payload encoding binary/encrypted).",
    "⚠ WorkflowTaskFailedError: The worker cannot read the payloads of run 'tester.note-no-codec'",
    "⚠ ValueError: This client cannot read the payload (this payload was encrypted with key "
    "'lesson-16-demo', but this codec holds key 'someone-elses-key').",
    # the exercise: the skeleton is refused (Run All never applies the solution)
    "❌ Not yet: the server stores the 10,000-character note as 10,002 bytes marked 'json/plain', readable",
]


async def test_notebook_16_runs_twice_with_its_key_outputs(client: Client) -> None:
    await passes_with_key_outputs("16", KEY_OUTPUTS)
    # The server's copy of the encrypted run: every payload sealed, the card number nowhere.
    history = await client.get_workflow_handle("tester.payment-encrypted").fetch_history()
    inputs = ("workflow_execution_started_event_attributes", "activity_task_scheduled_event_attributes")
    results = ("activity_task_completed_event_attributes", "workflow_execution_completed_event_attributes")
    payloads = [
        payload
        for event in history.events
        for field in inputs + results
        if event.HasField(field)
        for payload in getattr(getattr(event, field), "input" if field in inputs else "result").payloads
    ]
    assert len(payloads) == 4
    assert {p.metadata["encoding"] for p in payloads} == {b"binary/encrypted"}
    stored = history.to_json()
    assert "4111" not in stored and "Ada Lovelace" not in stored and "QWRh" not in stored  # nor base64
    # The sealed failure: the message is in no event of the history.
    sealed = (await client.get_workflow_handle("tester.payment-declined-sealed").fetch_history()).to_json()
    assert "was declined" not in sealed and "4111" not in sealed and "Encoded failure" in sealed


async def test_notebook_16_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("16")
