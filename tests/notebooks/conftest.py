"""Fixtures for the notebook tests."""

from __future__ import annotations

import pytest_asyncio
from temporalio.client import Client

from temporal_notebooks.runtime import connect


@pytest_asyncio.fixture
async def notebook_client(dev_server) -> Client:
    """The client a notebook has: its handles stop waiting when a workflow task fails."""
    return await connect(quiet=True)
