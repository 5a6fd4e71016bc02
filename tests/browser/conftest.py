"""Browser test fixtures: a JupyterLab started for the test run, Debian's Chromium under Playwright.

Without Chromium (or Playwright) the browser tests skip and say why; with ``CI=true`` they fail
instead, so a CI run can never pass by skipping them. Any test (or benchmark) can reuse
``running_jupyterlab()`` and ``chromium_browser()`` from ``browser_harness.py``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from browser_harness import JupyterLab, chromium_browser, missing_browser_reason, running_jupyterlab

from temporal_notebooks.runtime import devserver


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = missing_browser_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"Browser tests must run in CI (CI=true), but: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def jupyterlab(browser_available: None, dev_server: devserver.DevServer) -> Iterator[JupyterLab]:
    """JupyterLab on 127.0.0.1 with a token; its kernels use the test run's own dev server."""
    with running_jupyterlab() as lab:
        yield lab


@pytest_asyncio.fixture(scope="session")
async def browser(browser_available: None) -> AsyncIterator[object]:
    async with chromium_browser() as running:
        yield running


@pytest_asyncio.fixture
async def page(browser, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[object]:
    """A fresh browser page; on failure a screenshot is kept under the test's tmp_path."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = await context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        shot = tmp_path / "failure.png"
        await page.screenshot(path=str(shot), full_page=False)
        print(f"screenshot of the failing page: {shot}")
        widgets = await page.evaluate(
            "() => [...document.querySelectorAll('[class*=\"tn-\"]')].map("
            "n => `${n.className}: ${(n.value ?? n.textContent).trim()}`)"
        )
        print("lesson widgets on the page:", *widgets, sep="\n  ")
    await context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
