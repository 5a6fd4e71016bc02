"""Browser test fixtures: a JupyterLab started for the test run, Debian's Chromium under Playwright.

Without Chromium (or Playwright) the browser tests skip and say why; with ``CI=true`` they fail
instead, so a CI run can never pass by skipping them. Any test (or benchmark) can reuse
``running_jupyterlab()`` and ``chromium_browser()`` from ``browser_harness.py``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from browser_harness import (
    JupyterLab,
    NotebookPage,
    chromium_browser,
    close_notebook,
    missing_browser_reason,
    new_page,
    notebook_errors,
    open_notebook,
    run_all_cells,
    running_jupyterlab,
)

from temporal_notebooks.runtime import devserver

# Waits, not timing asserts: on a machine shared by many jobs a kernel round trip can take seconds,
# so every expect() waits up to 30 s (Playwright's default of 5 s failed under load).
with contextlib.suppress(ImportError):  # without Playwright the tests skip (or fail in CI) below
    from playwright.async_api import expect

    expect.set_options(timeout=30_000)


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
def jupyterlab(browser_available: None, run_server: devserver.DevServer) -> Iterator[JupyterLab]:
    """JupyterLab on 127.0.0.1 with a token; its kernels use the test run's own dev server."""
    with running_jupyterlab() as lab:
        yield lab


@pytest_asyncio.fixture(scope="session")
async def browser(browser_available: None) -> AsyncIterator[object]:
    async with chromium_browser() as running:
        yield running


async def _report_failure(page: Any, shot: Path) -> None:
    """A screenshot and the lesson widgets' texts, printed under a failing test."""
    await page.screenshot(path=str(shot), full_page=False)
    print(f"screenshot of the failing page: {shot}")
    widgets = await page.evaluate(
        "() => [...document.querySelectorAll('[class*=\"tn-\"]')].map("
        "n => `${n.className}: ${(n.value ?? n.textContent).trim().slice(0, 200)}`)"
    )
    print("lesson widgets on the page:", *widgets, sep="\n  ")


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


@pytest_asyncio.fixture
async def page(browser, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[object]:
    """A fresh browser page; on failure a screenshot is kept under the test's tmp_path."""
    page = await new_page(browser)
    yield page
    if _failed(request):
        await _report_failure(page, tmp_path / "failure.png")
    await page.context.close()


@pytest_asyncio.fixture(scope="module")
async def notebook_page(
    browser, jupyterlab: JupyterLab, request: pytest.FixtureRequest
) -> AsyncIterator[NotebookPage]:
    """The test module's ``NOTEBOOK`` opened in JupyterLab, after Run All (its tests run in file order)."""
    name = request.module.NOTEBOOK
    page = await new_page(browser)
    await open_notebook(page, jupyterlab, name)
    seconds = await run_all_cells(page)
    print(f"\nRun All of {name} in JupyterLab: {seconds:.1f} s")
    yield NotebookPage(page, name, seconds, await notebook_errors(page))
    await close_notebook(page)
    await page.context.close()


@pytest_asyncio.fixture
async def lesson(notebook_page: NotebookPage, request: pytest.FixtureRequest, tmp_path: Path):
    """The module's notebook page for one test; on failure a screenshot is kept under tmp_path."""
    yield notebook_page
    if _failed(request):
        await _report_failure(notebook_page.page, tmp_path / "failure.png")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
