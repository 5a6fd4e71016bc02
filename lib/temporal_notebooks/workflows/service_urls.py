"""Lesson 11: a workflow module the sandbox refuses, because of one third-party import.

``httpx`` (here only for its ``URL`` class, which is pure and deterministic) touches standard
library parts the sandbox restricts while it is imported, so a worker cannot even register this
workflow: "Failed validating workflow". ``service_urls_passed_through.py`` is the fix in the
module; the notebook also shows the fix on the worker (``with_passthrough_modules``).
"""

from __future__ import annotations

import httpx
from temporalio import workflow

API = "https://Shop.Example.COM/api/v2/"


@workflow.defn(name="ServiceUrl")
class ServiceUrlWorkflow:
    """Returns the normalised address of an API path (the host lower-cased, the path joined)."""

    @workflow.run
    async def run(self, path: str) -> str:
        return str(httpx.URL(API).join(path))
