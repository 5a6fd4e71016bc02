"""The hub test needs root (learners are Linux users), configurable-http-proxy (npm) and Chromium.

Without them it skips and says why; with ``CI=true`` it fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from browser_harness import missing_browser_reason  # noqa: E402
from hub_harness import missing_hub_reason  # noqa: E402


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def hub_available() -> None:
    reason = missing_hub_reason() or missing_browser_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"The JupyterHub test must run in CI (CI=true), but: {reason}", pytrace=False)
    pytest.skip(f"JupyterHub test skipped: {reason}")
