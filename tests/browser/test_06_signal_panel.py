"""Notebook 06 in JupyterLab in Chromium: the signal panel clicked by a person.

Run All ends the lesson panel's workflow (its "Exit" cell), so that panel's buttons must be disabled
with the reason beside them; the learner's own panel below it stays live: a name is typed, "Greet" is
clicked, and the greeting appears on the page.
"""

from __future__ import annotations

from browser_harness import (
    JupyterLab,
    dismiss_news_toast,
    notebook_errors,
    open_notebook,
    run_all_cells,
    timed_click,
)
from playwright.async_api import expect
from temporalio.client import Client

from temporal_notebooks.runtime import scoped
from temporal_notebooks.workflows.signals import GreeterWorkflow

NOTEBOOK = "06_signals.ipynb"


async def test_signal_panel_click_shows_new_state(jupyterlab: JupyterLab, page, client: Client) -> None:
    await open_notebook(page, jupyterlab, NOTEBOOK)
    seconds = await run_all_cells(page)
    print(f"\nRun All of {NOTEBOOK} in JupyterLab: {seconds:.1f} s")
    assert await notebook_errors(page) == []

    # Two panels: the lesson's (its workflow closed by the "Exit" cell) and the learner's own, live one.
    panels = page.locator(".tn-signal-panel")
    await expect(panels).to_have_count(2)
    closed_panel = panels.first
    await expect(closed_panel.locator(".tn-closed-reason")).to_have_text(
        "The workflow is closed (completed): it takes no more signals."
    )
    for button in await closed_panel.locator(".tn-signal-button").all():
        await expect(button).to_be_disabled()
    panel = panels.last
    await panel.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    state_view = panel.locator(".tn-state-view")
    text_box = panel.locator(".tn-signal-text input")
    greet = panel.locator(".tn-signal-button.tn-signal-greet")
    await expect(state_view).not_to_contain_text("waiting for the first query")

    await text_box.fill("Lin")
    milliseconds = await timed_click(
        page, greet, ".tn-signal-panel .tn-state-view", "return node.textContent.includes('Hello, Lin!');"
    )
    await expect(state_view).to_contain_text("Hello, Lin!")
    print(f"signal panel, click → new state on the page: {milliseconds:.0f} ms")

    # The workflow on the server holds what the page shows.
    greeter = client.get_workflow_handle(scoped("greeter-playground"))
    state = await greeter.query(GreeterWorkflow.state)
    assert "Hello, Lin!" in state.greetings
    await greeter.terminate("browser test done")
