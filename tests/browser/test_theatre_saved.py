"""A notebook saved with a replay theatre in it shows the theatre again, at the step it was left on, when
it is reopened and no kernel knows the widget (the collection's Lab settings save widget state). The
theatre steps in the page, so the reopened one steps as before.

A long theatre (a history of some 80 events, code and history panes that scroll) keeps the lit line
and the lit event in view at every step, from the first frame it is shown.

The notebooks are the test's own (a downloaded history and a class), in a JupyterLab of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nbformat
import pytest_asyncio
from browser_harness import JupyterLab, close_notebook, open_notebook, run_all_cells, running_jupyterlab
from playwright.async_api import expect
from temporalio.client import Client

from temporal_notebooks.activities.determinism import charge_payment, ship_parcel
from temporal_notebooks.activities.queries import Order, pack_item
from temporal_notebooks.runtime.exercises import short_lived_worker
from temporal_notebooks.workflows.determinism import ShipOrderV1
from temporal_notebooks.workflows.queries import PackingWorkflow

NOTEBOOK = "saved_theatre.ipynb"
CELLS = [
    "from temporalio.client import WorkflowHistory\n\n"
    "from temporal_notebooks.notebook import replay_theatre\n"
    "from temporal_notebooks.workflows.determinism import ShipOrderV2\n\n"
    "history = WorkflowHistory.from_json('ship-order', open('history.json').read())\n"
    "theatre = await replay_theatre(history, ShipOrderV2)\n"
    "theatre",
]
THEATRE = ".tn-theatre-root"
LONG_NOTEBOOK = "long_theatre.ipynb"
LONG_CELLS = [
    "from temporalio.client import WorkflowHistory\n\n"
    "from temporal_notebooks.notebook import replay_theatre\n"
    "from temporal_notebooks.workflows.queries import PackingWorkflow\n\n"
    "history = WorkflowHistory.from_json('packing', open('packing.json').read())\n"
    "theatre = await replay_theatre(history, PackingWorkflow)\n"
    "theatre",
]


@pytest_asyncio.fixture(scope="module")
async def lab_with_a_theatre(
    browser_available, client: Client, tmp_path_factory
) -> AsyncIterator[JupyterLab]:
    folder: Path = tmp_path_factory.mktemp("saved-theatre")
    queue = f"saved-theatre-{uuid.uuid4().hex[:6]}"
    async with short_lived_worker(
        client, queue, workflows=[ShipOrderV1], activities=[charge_payment, ship_parcel]
    ):
        handle = await client.start_workflow(ShipOrderV1.run, "order-1", id=queue, task_queue=queue)
        await handle.result()
    (folder / "history.json").write_text((await handle.fetch_history()).to_json())
    async with short_lived_worker(client, queue, workflows=[PackingWorkflow], activities=[pack_item]):
        order = Order([f"item {i}" for i in range(13)], 0)
        handle = await client.start_workflow(
            PackingWorkflow.run, order, id=f"{queue}-packing", task_queue=queue
        )
        await handle.result()
    (folder / "packing.json").write_text((await handle.fetch_history()).to_json())
    for name, cells in ((NOTEBOOK, CELLS), (LONG_NOTEBOOK, LONG_CELLS)):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
        nbformat.write(nb, folder / name)
    with running_jupyterlab(folder) as lab:
        yield lab


async def test_a_saved_theatre_shows_its_step_again_without_the_kernel_that_made_it(
    lab_with_a_theatre: JupyterLab, page
) -> None:
    await open_notebook(page, lab_with_a_theatre, NOTEBOOK)
    await run_all_cells(page)
    theatre = page.locator(THEATRE)
    await expect(theatre).to_have_attribute("data-event", "5")  # opens where version 2 parts
    await theatre.locator('.tn-theatre-event[data-event="4"]').click()
    await expect(theatre).to_have_attribute("data-event", "4")
    lit_line = await theatre.get_attribute("data-line")
    await page.wait_for_timeout(600)  # the page tells the kernel's model its step once stepping pauses
    await page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    await page.wait_for_timeout(1000)
    await close_notebook(page)  # its kernel shut down: the widget's model is gone with it

    assert "widgets" in nbformat.read(_served(lab_with_a_theatre), 4).metadata, "Lab saved no widget state"
    await open_notebook(page, lab_with_a_theatre, NOTEBOOK)  # a new kernel, which never made the widget
    reopened = page.locator(THEATRE)
    await expect(reopened).to_have_attribute("data-event", "4")
    assert await reopened.get_attribute("data-line") == lit_line
    lit = reopened.locator(".tn-theatre-event.tn-theatre-lit")
    await expect(lit).to_have_attribute("data-event", "4")
    await reopened.locator(".tn-theatre-step").click()  # stepping needs no kernel
    await expect(reopened).to_have_attribute("data-event", "5")


def _served(lab: JupyterLab) -> Path:
    """The saved notebook's path: the folder Lab serves (its --ServerApp.root_dir)."""
    root = next(arg for arg in lab.process.args if arg.startswith("--ServerApp.root_dir="))
    return Path(root.split("=", 1)[1]) / NOTEBOOK


# After the next frame: the step shown, and whether the lit line and the lit event are inside the part
# of their pane one sees (below its sticky title).
_LIT_IN_VIEW_JS = """(root) => new Promise((resolve) => requestAnimationFrame(() => {
  requestAnimationFrame(() => {
    const seen = (kind) => {  // null: no such row is lit at this step
        const row = root.querySelector(`.tn-theatre-${kind}.tn-theatre-lit`);
        if (!row) return null;
        const pane = row.closest(".tn-theatre-source, .tn-theatre-history");
        const title = pane.querySelector(".tn-theatre-pane-title").getBoundingClientRect();
        const r = row.getBoundingClientRect(), p = pane.getBoundingClientRect();
        return r.top >= title.bottom - 1 && r.bottom <= p.bottom + 1;
    };
    resolve({ step: Number(root.dataset.step), line: seen("line"), event: seen("event"),
              scrolls: [...root.querySelectorAll(".tn-theatre-source, .tn-theatre-history")]
                  .map((pane) => pane.scrollHeight > pane.clientHeight) });
  });
}))"""


async def test_a_long_theatre_keeps_the_lit_line_and_event_in_view(
    lab_with_a_theatre: JupyterLab, page
) -> None:
    await open_notebook(page, lab_with_a_theatre, LONG_NOTEBOOK)
    await run_all_cells(page)
    theatre = page.locator(f'{THEATRE}[data-workflow="PackingWorkflow"]')  # the saved one may be open too
    steps = await theatre.locator(".tn-theatre-reachable").count()
    assert steps > 60
    await expect(theatre).to_have_attribute("data-step", str(steps - 1))
    await theatre.scroll_into_view_if_needed()

    async def assert_lit_rows_in_view(step: int) -> None:
        shown = await theatre.evaluate(_LIT_IN_VIEW_JS)
        assert shown["scrolls"] == [True, True], "both panes should be taller than their view"
        assert shown["step"] == step
        assert shown["event"] is True, f"step {step}: the lit event is out of view"
        assert shown["line"] in (True, None), f"step {step}: the lit line is out of view"

    await assert_lit_rows_in_view(steps - 1)  # scrolled there when the panes were first laid out
    await theatre.focus()
    await page.keyboard.press("Home")
    await assert_lit_rows_in_view(0)
    lines_lit = 0
    for index in range(1, 40):  # the lit event walks down the history pane and past its bottom
        await theatre.locator(".tn-theatre-step").click()
        await assert_lit_rows_in_view(index)
        lines_lit += await theatre.get_attribute("data-line") != ""
    assert lines_lit > 20
    await page.keyboard.press("End")
    await theatre.locator(".tn-theatre-back").click()
    await assert_lit_rows_in_view(steps - 2)
    await close_notebook(page)
