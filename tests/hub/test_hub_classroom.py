"""A class on a real JupyterHub, set up exactly as docs/classroom.md says, used by two learners at once.

Two Linux users log in through the hub's login page in Chromium, open lesson 06 from their home, Run All
at the same time and click their own signal panel. Each must see only their own workflows, on the page
and on the shared class server; each learner's Web UI link must open their run through the hub's
``/services/temporal-ui`` route; the instructor notebook must list both. The page must show the lesson,
with no "Jupyter news?" toast and no kernel dialog (the collection's JupyterLab settings).

Prints what it measured: login → first result, login → Run All done, and memory per learner.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from browser_harness import chromium_browser, new_page, notebook_errors, open_notebook, run_all_cells
from hub_harness import (
    ClassServer,
    Hub,
    class_server,
    hub_environment,
    learner_accounts,
    memory_of_user,
    running_hub,
    temporary_folder,
)
from nbclient import NotebookClient
from nbrun import errors, notebook_path, output_text
from playwright.async_api import expect
from temporalio.client import Client

from temporal_notebooks.workflows.signals import GreeterWorkflow

pytestmark = [pytest.mark.hub, pytest.mark.timeout(900)]

NOTEBOOK = "notebooks/06_signals.ipynb"
UI_PATH = "/services/temporal-ui"
FIRST_LESSON = "notebooks/00_start_here.ipynb"
FIRST_SCREEN_JS = """(name) => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && panel.context.path.endsWith(name) && kernel.status === "idle";
}"""
FIRST_OUTPUT_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const first = panel.content.widgets.find((cell) => cell.model.type === "code");
    return !!first && first.model.outputs.length > 0;
}"""
OUTPUTS_TEXT_JS = """() => [...document.querySelectorAll('.jp-OutputArea')]
    .map((node) => node.innerText).join('\\n')"""


class HubLab:
    """What browser_harness.open_notebook needs from a Jupyter server: a notebook's URL."""

    def __init__(self, hub: Hub, learner: str) -> None:
        self.hub, self.learner = hub, learner

    def notebook_url(self, name: str) -> str:
        return f"{self.hub.url}/user/{self.learner}/lab/tree/{name}"


@pytest.fixture(scope="module")
def class_hub(hub_available: None) -> Iterator[tuple[Hub, ClassServer]]:
    venv = hub_environment()
    workdir = temporary_folder("tn-hub-")
    try:
        with learner_accounts(2) as learners, class_server(workdir) as server:
            with running_hub(venv, server, learners, workdir / "hub") as hub:
                yield hub, server
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def _learner_session(browser, hub: Hub, learner: str, figures: dict[str, float], shots: Path) -> object:
    """Log in as ``learner``, open lesson 06 (the hub starts their server), Run All; return the page."""
    page = await new_page(browser, timeout_ms=60_000)
    try:
        await _log_in_and_run_all(page, hub, learner, figures)
    except Exception:
        shot = shots / f"{learner}.png"
        await page.screenshot(path=str(shot))
        print(f"\n{learner}'s page at {page.url}: screenshot {shot}\nhub log:\n{hub.log_tail()}")
        raise
    return page


async def _log_in_and_run_all(page, hub: Hub, learner: str, figures: dict[str, float]) -> None:
    lab = HubLab(hub, learner)
    await page.goto(f"{hub.url}/hub/login")
    await page.fill("input[name=username]", learner)
    await page.fill("input[name=password]", hub.password)
    logged_in_at = time.perf_counter()
    await page.click("#login_submit")
    # The hub starts the learner's server and opens the guide's default_url: lesson 00.
    await page.wait_for_url(f"**/user/{learner}/lab/**", timeout=180_000)
    await page.wait_for_function(FIRST_SCREEN_JS, arg=FIRST_LESSON, timeout=180_000, polling=200)
    figures["first lesson ready"] = time.perf_counter() - logged_in_at
    print(f"\n{learner}: lesson 00 ready after login in {figures['first lesson ready']:.1f} s", flush=True)
    await _no_news_toast_nor_kernel_dialog(page, learner)

    await open_notebook(page, lab, NOTEBOOK, timeout_s=180)
    figures["lesson 06 ready"] = time.perf_counter() - logged_in_at
    first_output = asyncio.ensure_future(
        page.wait_for_function(FIRST_OUTPUT_JS, timeout=120_000, polling=100)
    )
    first_output.add_done_callback(
        lambda _: figures.setdefault("first result", time.perf_counter() - logged_in_at)
    )
    await run_all_cells(page, timeout_s=300)
    await first_output
    figures["Run All done"] = time.perf_counter() - logged_in_at


async def _no_news_toast_nor_kernel_dialog(page, learner: str) -> None:
    """The collection's JupyterLab settings reached the learner's server, and nothing covers the lesson."""
    await page.wait_for_timeout(2000)  # the news question comes shortly after the page is up
    plugin = "@jupyterlab/apputils-extension:notification"
    schema = await page.evaluate(
        "async (id) => (await window.jupyterapp.serviceManager.settings.fetch(id)).schema", plugin
    )
    # The server folds overrides.d into the defaults it sends: "Never" fetch news, so never ask.
    assert schema["properties"]["fetchNews"]["default"] == "false", f"{learner}: {schema['properties']}"
    assert await page.locator(".jp-toast-container .Toastify__toast").count() == 0
    assert await page.locator(".jp-Dialog").count() == 0, "a dialog (kernel choice?) covers the lesson"


async def _greet_in_own_panel(page, name: str) -> None:
    panel = page.locator(".tn-signal-panel").last
    await panel.scroll_into_view_if_needed()
    state_view = panel.locator(".tn-state-view")
    await expect(state_view).not_to_contain_text("waiting for the first query")
    await panel.locator(".tn-signal-text input").fill(name)
    await panel.locator(".tn-signal-button.tn-signal-greet").click()
    await expect(state_view).to_contain_text(f"Hello, {name}!", timeout=30_000)


async def _open_web_ui_link(page, workflow_prefix: str, shots: Path) -> str:
    """Follow the first Web UI link on the page (it must be the learner's own); the UI shows the run."""
    links = page.locator(f"a[href*='{UI_PATH}/namespaces/'][href*='{workflow_prefix}']")
    assert await links.count() > 0, "no Web UI link to the learner's own workflows on the page"
    all_links = await page.eval_on_selector_all(
        f"a[href*='{UI_PATH}/']", "nodes => nodes.map(n => n.getAttribute('href'))"
    )
    assert all(workflow_prefix in href for href in all_links), all_links
    href = await links.first.get_attribute("href")
    workflow_id = urllib.parse.unquote(href.split("/workflows/", 1)[1].split("/", 1)[0])
    ui = await page.context.new_page()
    url = urllib.parse.urljoin(page.url, href)
    response = await ui.goto(url)
    assert response is not None and response.ok, f"{href}: HTTP {response and response.status}"
    # The UI's own API answers through the hub's route too, for this run.
    api = f"{UI_PATH}/api/v1/namespaces/default/workflows/{urllib.parse.quote(workflow_id, '')}"
    described = await ui.request.get(urllib.parse.urljoin(page.url, api))
    assert described.ok, f"{api}: HTTP {described.status}"
    assert (await described.json())["workflowExecutionInfo"]["execution"]["workflowId"] == workflow_id
    try:
        await expect(ui.get_by_text(workflow_id).first).to_be_visible(timeout=60_000)
    except AssertionError:
        await ui.screenshot(path=str(shots / "web-ui.png"))
        print(f"Web UI page {url}: screenshot {shots / 'web-ui.png'}; text:\n{await ui.inner_text('body')}")
        raise
    await ui.close()
    return workflow_id


def _run_instructor_notebook(hub: Hub) -> str:
    """The instructor notebook with the class's settings (as the hub gives every user); its output text."""
    path = notebook_path("instructor")
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, **hub.environment, "TEMPORAL_NOTEBOOKS_LEARNER": "instructor"}
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env=env)
    assert errors(nb) == [], errors(nb)
    return output_text(nb)


async def test_two_learners_on_a_hub_see_only_their_own_workflows(class_hub, tmp_path: Path) -> None:
    hub, server = class_hub
    first, second = hub.learners
    names = {first: "Tamsin", second: "Orla"}  # names lesson 06 itself never greets
    figures = {learner: {} for learner in hub.learners}

    async with chromium_browser() as browser:
        pages = await asyncio.gather(
            *(_learner_session(browser, hub, learner, figures[learner], tmp_path) for learner in hub.learners)
        )
        for learner, page in zip(hub.learners, pages, strict=True):
            assert await notebook_errors(page) == [], f"{learner}: errors in the notebook"
        memory = {learner: memory_of_user(hub.uids[learner]) for learner in hub.learners}

        # Both click their own panel at once.
        await asyncio.gather(
            *(
                _greet_in_own_panel(page, names[learner])
                for learner, page in zip(hub.learners, pages, strict=True)
            )
        )

        # On the page: only the learner's own workflow ids, and no trace of the other learner.
        for learner, page in zip(hub.learners, pages, strict=True):
            other = second if learner == first else first
            text = await page.evaluate(OUTPUTS_TEXT_JS)
            assert f"{learner}." in text, f"{learner}'s page shows none of their workflow ids"
            assert other not in text, f"{learner}'s page shows {other}'s workflows"
            assert f"Hello, {names[other]}!" not in text
            workflow_id = await _open_web_ui_link(page, f"{learner}.", tmp_path)
            assert workflow_id.startswith(f"{learner}.")

    # On the server: every workflow belongs to one of the two learners, each panel holds its own greeting.
    client = await Client.connect(server.address, namespace=hub.environment["TEMPORAL_NAMESPACE"])
    ids = [execution.id async for execution in client.list_workflows()]
    by_learner = {learner: [i for i in ids if i.startswith(f"{learner}.")] for learner in hub.learners}
    assert all(by_learner.values()), by_learner
    assert sorted(ids) == sorted(by_learner[first] + by_learner[second]), ids
    for learner in hub.learners:
        other = second if learner == first else first
        state = await client.get_workflow_handle(f"{learner}.greeter-playground").query(GreeterWorkflow.state)
        assert f"Hello, {names[learner]}!" in state.greetings
        assert not any(names[other] in greeting for greeting in state.greetings), state.greetings

    # The instructor sees both learners.
    instructor_text = await asyncio.to_thread(_run_instructor_notebook, hub)
    for learner in hub.learners:
        assert learner in instructor_text, f"the instructor notebook misses {learner}:\n{instructor_text}"

    for learner in hub.learners:
        f = figures[learner]
        print(
            f"\n{learner}: login → lesson 00 ready {f['first lesson ready']:.1f} s, → 06 ready "
            f"{f['lesson 06 ready']:.1f} s, → first result "
            f"{f['first result']:.1f} s, → Run All of lesson 06 done {f['Run All done']:.1f} s; "
            f"memory {memory[learner].describe()}"
        )
