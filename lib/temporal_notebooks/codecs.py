"""Payload codecs the lessons use (lesson 16): bytes in, bytes out, after the payload converter.

A codec runs in the client and in the worker, outside the workflow sandbox; the server only ever
sees what it produced.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCRYPTED = b"binary/encrypted"
KEY_ID_FIELD = "encryption-key-id"
NONCE_BYTES = 12  # AES-GCM's standard nonce: a fresh random one for every payload

# For the lesson only: a real key comes from a key manager (KMS, Vault), never from the code.
DEMO_KEY_ID = "lesson-16-demo"
DEMO_KEY = bytes.fromhex("6c6573736f6e2d31362d64656d6f2d6b65792d6e6f742d666f722d7265616c21")


class EncryptionCodec(PayloadCodec):
    """AES-GCM: each payload, metadata and data, becomes the encrypted data of a new payload whose
    metadata names only the encoding and the key's id (so a key can be rotated: old payloads say
    which key opens them)."""

    def __init__(self, key: bytes = DEMO_KEY, key_id: str = DEMO_KEY_ID) -> None:
        self._cipher = AESGCM(key)
        self.key_id = key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decrypt(p) if p.metadata.get("encoding") == ENCRYPTED else p for p in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, payload.SerializeToString(), None)
        return Payload(
            metadata={"encoding": ENCRYPTED, KEY_ID_FIELD: self.key_id.encode()}, data=nonce + sealed
        )

    def _decrypt(self, payload: Payload) -> Payload:
        key_id = payload.metadata.get(KEY_ID_FIELD, b"").decode()
        if key_id != self.key_id:
            raise ValueError(
                f"this payload was encrypted with key '{key_id}', but this codec holds key '{self.key_id}'"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        return Payload.FromString(self._cipher.decrypt(nonce, sealed, None))
