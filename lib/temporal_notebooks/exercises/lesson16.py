"""Lesson 16 exercise: a payload codec that compresses with zlib.

The learner writes ``ZlibCodec`` in a ``%%module_file exercise16`` cell. The check makes a client
with a data converter using it, runs lesson 16's ``NoteWorkflow`` with a long, repetitive note on a
worker made from that client, and then reads the history with the kernel's own client (no codec):
what the server stores must be marked ``binary/zlib`` and be much smaller than the note, the
workflow must still have read the note, and ``decode`` must leave a payload of another encoding
as it is (a history also holds payloads written before the codec, or by other clients).
"""

from __future__ import annotations

import contextlib
import sys
import uuid

from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import DataConverter, PayloadCodec

from temporal_notebooks.activities.data_converters import shout
from temporal_notebooks.runtime.converters import client_with_converter
from temporal_notebooks.runtime.errors import WorkflowTaskFailedError, explain
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    not_yet,
    passed,
    result_in_time,
    short_lived_worker,
)
from temporal_notebooks.runtime.learner import scoped
from temporal_notebooks.workflows.data_converters import NoteWorkflow

MODULE = "exercise16"
CLASS_NAME = "ZlibCodec"
ENCODING = b"binary/zlib"
NOTE = "tick tock " * 1000  # 10,000 characters that compress well
RUN_TIMEOUT_S = 8.0
OTHER = Payload(metadata={"encoding": b"json/plain"}, data=b'"written before the codec"')
SMALL = Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')
TYPED = Payload(
    metadata={"encoding": b"json/protobuf", "messageType": b"temporal.api.common.v1.Payload"}, data=b"{}"
)


def _codec_class() -> type | CheckResult:
    module = sys.modules.get(MODULE)
    if module is None:
        return not_yet(f"run the %%module_file {MODULE} cell first.")
    found = getattr(module, CLASS_NAME, None)
    if not (isinstance(found, type) and issubclass(found, PayloadCodec)):
        return not_yet(f"module {MODULE} has no class {CLASS_NAME}(PayloadCodec).")
    return found


def _copy(payload: Payload) -> Payload:
    copy = Payload()
    copy.CopyFrom(payload)
    return copy


async def _changes_its_input(codec: PayloadCodec) -> str | None:
    """Does encode change the payload it was given? (The SDK's docstring: it should not be mutated.)"""
    given = _copy(SMALL)
    with contextlib.suppress(Exception):  # an encode that raises is reported by the run
        await codec.encode([given])
    if given == SMALL:
        return None
    return (
        "encode changed the payload it was given: the SDK hands the codec payloads it must not change "
        "(the same objects may be sent or kept elsewhere). Build a new Payload for each instead."
    )


async def _encode_problem(codec: PayloadCodec) -> str | None:
    """What encode does wrong with a tiny payload and one with more metadata, if anything."""
    try:
        small, typed = await codec.encode([_copy(SMALL), _copy(TYPED)])  # copies: encode may mutate
    except Exception as exc:
        return f"encode raised {type(exc).__name__}: {exc}"
    if small.metadata.get("encoding") != ENCODING:
        return (
            f"encode left a {SMALL.ByteSize()}-byte payload as it was: the exercise asks for each payload "
            "to be compressed and marked, whatever its size."
        )
    if dict(typed.metadata) != {"encoding": ENCODING}:
        extra = ", ".join(sorted(key for key in typed.metadata if key != "encoding"))
        return (
            f"encode copied the original payload's metadata ({extra}) onto the new one: the original, "
            "metadata and all, is inside the compressed data; the new payload's metadata is only "
            "{'encoding': b'binary/zlib'}."
        )
    return None


async def _run_note(client: Client, codec: PayloadCodec) -> tuple[str, Payload]:
    """Run the note workflow through ``codec``: (its result, its input as the server stores it)."""
    codec_client = client_with_converter(client, DataConverter(payload_codec=codec))
    task_queue = scoped(f"check-codec-{uuid.uuid4().hex[:6]}")
    async with short_lived_worker(codec_client, task_queue, workflows=[NoteWorkflow], activities=[shout]):
        handle = await codec_client.start_workflow(
            NoteWorkflow.run, NOTE, id=scoped(f"check-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        try:
            result = await result_in_time(handle, RUN_TIMEOUT_S)
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")
    stored = await client.get_workflow_handle(handle.id).fetch_history()  # the kernel's client: no codec
    return result, stored.events[0].workflow_execution_started_event_attributes.input.payloads[0]


async def check(client: Client) -> CheckResult:
    """Pass when the stored note is zlib-compressed, the workflow still reads it, and decode leaves
    other payloads alone."""
    codec_class = _codec_class()
    if isinstance(codec_class, CheckResult):
        return codec_class
    try:
        codec = codec_class()
        changed = await _changes_its_input(codec)
        if changed:
            return not_yet(changed)
        result, stored = await _run_note(client, codec)
    except TimeoutError:
        return not_yet(f"the workflow gave no result within {RUN_TIMEOUT_S:.0f} s: does decode undo encode?")
    except WorkflowTaskFailedError as exc:  # the worker could not turn the note back into a str
        where = f" ({exc.line})" if exc.line else ""
        if f"Unknown payload encoding {ENCODING.decode()}" in exc.cause_message:
            return not_yet(
                f"the note reached the worker still marked {ENCODING.decode()}: decode did not recognise "
                "its own encoding (metadata values are bytes: compare with ENCODING, b'binary/zlib')."
            )
        return not_yet(
            f"the worker could not decode the note with your codec: {exc.cause_message}{where}. "
            "decode must give back exactly the payload that encode was given."
        )
    except Exception as exc:
        return not_yet(f"running it failed: {explain(exc) or f'{type(exc).__name__}: {exc}'}")
    encoding = stored.metadata.get("encoding", b"").decode()
    size = f"{len(stored.data):,} bytes"
    if stored.metadata.get("encoding") != ENCODING:
        plain = stored.data.startswith(b'"tick tock')
        return not_yet(
            f"the server stores the {len(NOTE):,}-character note as {size} marked '{encoding}'"
            + (", readable and uncompressed" if plain else ", which is not what those bytes are")
            + ": encode must return new payloads whose data is the compressed original payload "
            "(payload.SerializeToString()) and whose metadata says {'encoding': b'binary/zlib'}."
        )
    if len(stored.data) > len(NOTE) // 10:
        return not_yet(
            f"the server stores the {len(NOTE):,}-character note as {size} of binary/zlib: that is not "
            "compressed; compress with zlib.compress(...)."
        )
    if result != NOTE.upper():
        return not_yet(
            f"the workflow answered {result[:40]!r}...: decode must give back the original payload."
        )
    try:
        untouched = await codec.decode([OTHER])
    except Exception as exc:
        untouched = [f"{type(exc).__name__}: {exc}"]
    if list(untouched) != [OTHER]:
        return not_yet(
            "decode changed a payload it had not encoded (a json/plain one): a history also holds payloads "
            "written before the codec, or by other clients. Decode only payloads marked binary/zlib."
        )
    problem = await _encode_problem(codec)
    if problem:
        return not_yet(problem)
    return passed(
        f"the {len(NOTE):,}-character note is stored as {size} of binary/zlib, the workflow read it and "
        "answered, and decode leaves other payloads as they are."
    )
