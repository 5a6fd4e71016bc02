"""A client with a data converter of its own, on the kernel's connection.

The kernel's client (``connect()``) keeps the default data converter: every lesson and widget
shares it. A lesson that needs another converter (Pydantic, a payload codec) gets a second client
on the same connection; a worker started with that client converts the same way.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.converter import DataConverter


def client_with_converter(client: Client, data_converter: DataConverter) -> Client:
    """A client like ``client`` (same connection, namespace and interceptors) whose payloads go
    through ``data_converter``; ``client`` itself is unchanged."""
    config = client.config()
    config["data_converter"] = data_converter
    return type(client)(**config)
