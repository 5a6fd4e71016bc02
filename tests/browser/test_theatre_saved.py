"""A notebook saved with a replay theatre in it shows the theatre again, at the step it was left on, when
it is reopened and no kernel knows the widget (the collection's Lab settings save widget state). The
theatre steps in the page, so the reopened one steps as before.

The notebook is one of the test's own (a downloaded history and a class), in a JupyterLab of its own.
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
from temporal_notebooks.runtime.exercises import short_lived_worker
from temporal_notebooks.workflows.determinism import ShipOrderV1

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
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(cell) for cell in CELLS]
    nbformat.write(nb, folder / NOTEBOOK)
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
