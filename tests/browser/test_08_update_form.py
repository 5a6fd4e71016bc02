"""Notebook 08 in JupyterLab in Chromium: Run All, then a person's use of the update form. A value the
validator refuses shows its reason on the page; a good value shows the update's result."""

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

from temporal_notebooks.activities.updates import CartSummary
from temporal_notebooks.runtime import scoped
from temporal_notebooks.workflows.updates import CartWorkflow

NOTEBOOK = "08_updates.ipynb"
REJECTION = "✗ Rejected: 'durian' is not sold here: choose one of apple, bread, coffee, milk"
AFTER_RUN_ALL = "✓ In the cart: 2 × apple: 1.00 €"  # the notebook's own by-code cell added 2 apples
AFTER_BREAD = "✓ In the cart: 2 × apple, 1 × bread: 3.50 €"


async def test_update_form_shows_rejection_then_result(jupyterlab: JupyterLab, page, client: Client) -> None:
    await open_notebook(page, jupyterlab, NOTEBOOK)
    seconds = await run_all_cells(page)
    print(f"\nRun All of {NOTEBOOK} in JupyterLab: {seconds:.1f} s")
    assert await notebook_errors(page) == []

    form_input = page.locator(".tn-update-input input")
    submit = page.locator(".tn-update-submit")
    result = page.locator(".tn-update-result")
    await expect(form_input).to_have_count(1)
    await form_input.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    await expect(result).to_have_text(AFTER_RUN_ALL)

    # A person types a value the validator refuses and clicks.
    await form_input.fill("durian")
    await submit.click()
    await expect(result).to_have_text(REJECTION)

    # A good value: the update's result appears. Timed in the page, click to text.
    await form_input.fill("bread 1")
    await result.scroll_into_view_if_needed()
    milliseconds = await timed_click(
        page, submit, ".tn-update-result", "return node.textContent.includes('1 × bread');"
    )
    await expect(result).to_have_text(AFTER_BREAD)
    print(f"update form, click → result on the page: {milliseconds:.0f} ms")

    # The workflow on the server agrees with what the page shows.
    cart = client.get_workflow_handle(scoped("cart-form"))
    summary = await cart.query(CartWorkflow.summary, result_type=CartSummary)
    assert summary.items == {"apple": 2, "bread": 1}
