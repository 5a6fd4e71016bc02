"""Lesson 11: the same workflow as ``service_urls.py``, with the import passed through.

Inside ``workflow.unsafe.imports_passed_through()`` the sandbox hands the workflow the ``httpx``
module already loaded outside it, instead of importing it again under its restrictions. Pass
through only what is deterministic (here: URL parsing); the sandbox no longer watches it.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import httpx

API = "https://Shop.Example.COM/api/v2/"


@workflow.defn(name="ServiceUrl")
class ServiceUrlWorkflow:
    """Returns the normalised address of an API path (the host lower-cased, the path joined)."""

    @workflow.run
    async def run(self, path: str) -> str:
        return str(httpx.URL(API).join(path))
