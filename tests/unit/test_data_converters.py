"""Lesson 16 code: the encryption codec on its own, and the payment through the Pydantic converter and
the codec on the real dev server, read back from the history without the codec."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from decimal import Decimal

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowFailureError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.worker import Worker

from temporal_notebooks.activities.data_converters import Card, Payment, Receipt, charge_card, shout
from temporal_notebooks.codecs import EncryptionCodec
from temporal_notebooks.runtime import client_with_converter, explain
from temporal_notebooks.workflows.data_converters import NoteWorkflow, PaymentWorkflow

PAYMENT = Payment(
    payment_id="pay-t",
    card=Card(holder="Grace", number="4111 1111 1111 1111"),
    amount=Decimal("9.99"),
    due=date(2027, 2, 1),
)
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'"hello"')


async def test_the_codec_seals_opens_and_leaves_other_encodings_alone() -> None:
    codec = EncryptionCodec()
    first, second = await codec.encode([PLAIN, PLAIN])
    assert first.metadata["encoding"] == b"binary/encrypted" and b"hello" not in first.data
    assert first.data != second.data  # a fresh nonce per payload
    assert await codec.decode([first, PLAIN]) == [PLAIN, PLAIN]
    with pytest.raises(
        ValueError, match="encrypted with key 'lesson-16-demo', but this codec holds key 'other'"
    ):
        await EncryptionCodec(bytes(32), "other").decode([first])


async def test_a_client_with_a_converter_leaves_the_original_alone(client: Client) -> None:
    secret = client_with_converter(
        client, dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec())
    )
    assert secret.service_client is client.service_client and secret.namespace == client.namespace
    assert client.data_converter is DataConverter.default
    assert isinstance(secret.data_converter.payload_codec, EncryptionCodec)


async def test_the_payment_is_sealed_on_the_server_and_read_by_the_workflow(client: Client) -> None:
    converter = dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
    secret = client_with_converter(client, converter)
    task_queue = f"test-converters-{uuid.uuid4().hex[:6]}"
    async with Worker(
        secret,
        task_queue=task_queue,
        workflows=[PaymentWorkflow, NoteWorkflow],
        activities=[charge_card, shout],
    ):
        paid = await secret.start_workflow(
            PaymentWorkflow.run, PAYMENT, id=f"pay-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        receipt = await paid.result()
        assert (
            isinstance(receipt, Receipt)
            and receipt.amount == Decimal("9.99")
            and receipt.card_ending == "1111"
        )
        declined = PAYMENT.model_copy(update={"card": Card(holder="Grace", number="4111 1111 1111 0000")})
        failing = await secret.start_workflow(
            PaymentWorkflow.run, declined, id=f"pay-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        with pytest.raises(WorkflowFailureError) as failed:
            await failing.result()
        assert "card 4111 1111 1111 0000 was declined" in str(failed.value.cause.cause)
        # The kernel's client (no codec) reads the server's copy: sealed payloads, no message; and it
        # cannot read the receipt.
        stored = (await client.get_workflow_handle(failing.id).fetch_history()).to_json()
        assert "4111" not in stored and "Grace" not in stored and "Encoded failure" in stored
        with pytest.raises(KeyError) as unreadable:
            await client.get_workflow_handle(paid.id).result()
        assert explain(unreadable.value).startswith(
            "This client cannot read the payload (Unknown payload encoding"
        )
