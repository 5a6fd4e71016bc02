"""Notebook 01 in JupyterLab in Chromium: Run All (the browser's own queued Run All) shows the
exercise's "Not yet" and a "Show solution" button, never the solution; a click shows it, a second
click applies it, and the check cell, run again, passes."""

from __future__ import annotations

from browser_harness import (
    JupyterLab,
    dismiss_news_toast,
    notebook_errors,
    open_notebook,
    run_all_cells,
    run_cell_containing,
)
from nbrun import revealing_lines
from playwright.async_api import expect

NOTEBOOK = "01_workflow_basics.ipynb"
CHECK_CELL = "await lesson01.check(client)"


async def test_run_all_hides_the_solution_until_the_learner_clicks(jupyterlab: JupyterLab, page) -> None:
    await open_notebook(page, jupyterlab, NOTEBOOK)
    await run_all_cells(page, timeout_s=180)
    assert await notebook_errors(page) == []
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    await expect(notebook).to_contain_text("❌ Not yet:")
    hidden = revealing_lines("01")
    page_text = await notebook.inner_text()
    assert [line for line in hidden if line in page_text] == []
    assert "✅ Passed" not in page_text

    panel = notebook.locator(".tn-solution")
    await expect(panel).to_have_count(1)
    await panel.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    await expect(panel.locator(".tn-solution-use")).to_be_hidden()
    await panel.locator(".tn-solution-show").click()
    code = panel.locator(".tn-solution-code")
    for line in hidden:
        await expect(code).to_contain_text(line)
    await expect(panel.locator(".tn-solution-show")).to_be_hidden()

    await panel.locator(".tn-solution-use").click()
    await expect(panel.locator(".tn-solution-status")).to_contain_text(
        "module 'exercise01' now holds the solution"
    )
    await run_cell_containing(page, CHECK_CELL, timeout_s=120)
    await expect(notebook).to_contain_text("✅ Passed:")
