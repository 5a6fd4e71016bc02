"""JupyterLab and Chromium for browser tests and benchmarks: started here, isolated, stopped after.

JupyterLab runs on 127.0.0.1 with a random token, serves ``notebooks/``, and keeps its config,
runtime files, workspaces and user settings in a temporary folder, so nothing leaks from or into the
developer's own Jupyter set-up. Its kernels inherit this process's environment (the tests' own
Temporal dev server). Chromium is Debian's (``apt-get install chromium``), driven by Playwright.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
START_TIMEOUT_S = 60.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The collection's own JupyterLab settings (what make lab, a hub and Binder install): no "Jupyter news?"
# toast, no kernel dialog, nothing covers the widgets. Given here as user settings of the test's Lab.
# Tests also lay out every cell (no windowing), so they can measure and screenshot cells out of view.
LAB_SETTINGS = json.loads((ROOT / "jupyter-settings" / "temporal-notebooks.json").read_text())
USER_SETTINGS = {
    plugin.replace(":", "/") + ".jupyterlab-settings": values for plugin, values in LAB_SETTINGS.items()
}
TRACKER = "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
USER_SETTINGS[TRACKER] = {**USER_SETTINGS.get(TRACKER, {}), "windowingMode": "none"}
# Tests run the repository's own notebooks: never save them (they are committed stripped).
USER_SETTINGS["@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"] = {"autosave": False}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_browser_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if chromium_path() is None:
        return "Chromium is not installed (Debian: apt-get update && apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterLab:
    """A running JupyterLab server."""

    base_url: str
    token: str
    process: subprocess.Popen
    home: Path
    log_file: Path

    def notebook_url(self, name: str) -> str:
        """The Lab URL that opens ``notebooks/<name>`` alone. ``reset``: without it Lab restores the
        notebooks an earlier page of the run had open, and starts a kernel for each; they piled up, one
        more with every page (2 December 2026)."""
        return f"{self.base_url}/lab/tree/{name}?reset&token={self.token}"

    def api(self, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read() or b"null")

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        return ""


@contextlib.contextmanager
def running_jupyterlab(notebooks: Path = NOTEBOOKS) -> Iterator[JupyterLab]:
    """Start JupyterLab serving ``notebooks``; yield when it answers; stop it and its kernels after."""
    home = Path(tempfile.mkdtemp(prefix="tn-jupyterlab-"))
    settings_dir = home / "user-settings"
    for relative, values in USER_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
    )
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        f"--LabApp.user_settings_dir={settings_dir}",
        "--ServerApp.open_browser=False",
    ]  # fmt: skip
    log_file = home / "jupyterlab.log"
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            command, cwd=notebooks, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, process, home, log_file)
    try:
        _wait_until_up(lab)
        yield lab
    finally:
        _stop(process)
        shutil.rmtree(home, ignore_errors=True)


def _wait_until_up(lab: JupyterLab) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited at start:\n{lab.log_tail()}")
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            lab.api("/api/status")
            return
        time.sleep(0.2)
    raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT_S:.0f} s:\n{lab.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM lets the server shut its kernels down (and they their workers); kill what lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels left in the server's process group
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@contextlib.asynccontextmanager
async def chromium_browser() -> AsyncIterator[Any]:
    """Debian's Chromium under Playwright (async API), closed afterwards."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Any, timeout_ms: float = 30_000) -> Any:
    """A page in a browser context of its own, at the size every test lays lessons out in; every wait
    on it is bounded by ``timeout_ms``. Close it with ``page.context.close()``."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(timeout_ms)
    return await context.new_page()


@dataclass
class NotebookPage:
    """A notebook opened in Lab after Run All, shared by the tests of one module (Run All is slow)."""

    page: Any
    name: str
    run_all_seconds: float
    errors: list[str]


# --- driving a notebook in the page -----------------------------------------------------------

_NOTEBOOK_READY_JS = """(name) => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    if (!panel || !panel.context || !panel.context.path.endsWith(name)) return false;
    const session = panel.sessionContext && panel.sessionContext.session;
    const kernel = session && session.kernel;
    return !!kernel && kernel.status === "idle" && panel.content.widgets.length > 0;
}"""

# Null while a cell is queued or running; then "all ran", or "stopped" when a cell failed (Lab drops
# the cells queued after it).
_RUN_ALL_OUTCOME_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session.kernel;
    const cells = panel.content.widgets.filter((cell) => cell.model.type === "code");
    const queued = cells.some((cell) => !cell.promptNode || cell.promptNode.textContent.includes("*"));
    if (queued || kernel.status !== "idle") return null;
    if (cells.every((cell) => cell.model.executionCount !== null)) return "all ran";
    const failed = cells.some((cell) => [...Array(cell.model.outputs.length).keys()]
        .some((i) => cell.model.outputs.get(i).type === "error"));
    return failed ? "stopped" : null;
}"""

_ERRORS_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const found = [];
    panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== "code") return;
        for (let i = 0; i < cell.model.outputs.length; i++) {
            const output = cell.model.outputs.get(i);
            if (output.type === "error") {
                const json = output.toJSON();
                found.push(`cell ${index}: ${json.ename}: ${json.evalue}`);
            }
        }
    });
    return found;
}"""


# Opens a notebook in the Lab already on the page, as a learner does from the file browser. Returns
# nothing: the widget it makes cannot cross to Python.
_OPEN_IN_LAB_JS = """(name) => {
    const app = window.jupyterapp;
    if (!app || !app.shell.isAttached || !app.serviceManager.isReady) return false;
    app.commands.execute("docmanager:open", {path: name});
    return true;
}"""


async def open_notebook(
    page: Any, lab: JupyterLab, name: str, timeout_s: float = 180, *, in_open_lab: bool = False
) -> None:
    """Open ``name`` in Lab and wait until its kernel is idle. With ``in_open_lab``, a page already
    showing this Lab opens it from there: Lab's own load (about 7 s of Chromium's CPU here) is paid
    once, not once per notebook."""
    same_lab = in_open_lab and page.url.startswith(f"{lab.base_url}/lab")
    if not (same_lab and await page.evaluate(_OPEN_IN_LAB_JS, name)):
        await page.goto(lab.notebook_url(name))
    await page.wait_for_function(_NOTEBOOK_READY_JS, arg=name, timeout=timeout_s * 1000, polling=200)
    await dismiss_news_toast(page)


async def dismiss_news_toast(page: Any) -> None:
    """Close the "get notified about Jupyter news?" toast (and other toasts) if one is shown."""
    toasts = page.locator(".jp-toast-container .Toastify__toast")
    for index in range(await toasts.count()):
        toast = toasts.nth(index)
        for label in ("No", "Dismiss", "Close"):
            button = toast.get_by_role("button", name=label)
            if await button.count():
                with contextlib.suppress(Exception):
                    await button.first.click(timeout=2000)
                break
    close = page.locator(".jp-toast-container .Toastify__close-button")
    for index in range(await close.count()):
        with contextlib.suppress(Exception):
            await close.nth(index).click(timeout=1000)


async def run_all_cells(page: Any, timeout_s: float = 240) -> float:
    """Run All through Lab's own command; wait until every code cell ran. Returns the seconds taken."""
    started = time.perf_counter()
    await page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    await page.wait_for_timeout(200)  # let the first cells be queued before polling
    try:
        outcome = await page.wait_for_function(_RUN_ALL_OUTCOME_JS, timeout=timeout_s * 1000, polling=100)
    except Exception as exc:  # say which cell never finished, and what it printed meanwhile
        pending = await page.evaluate(_PENDING_CELLS_JS)
        raise AssertionError(f"Run All did not finish in {timeout_s:.0f} s; running: {pending}") from exc
    if await outcome.json_value() != "all ran":
        raise AssertionError(f"Run All stopped at an error: {await notebook_errors(page)}")
    return time.perf_counter() - started


_PENDING_CELLS_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const found = [`kernel ${panel.sessionContext.session.kernel.status}`];
    panel.content.widgets.forEach((cell, index) => {
        const prompt = cell.promptNode ? cell.promptNode.textContent : "";
        if (cell.model.type !== "code" || !prompt.includes("*")) return;
        const source = cell.model.sharedModel.getSource().slice(0, 200);
        const outputs = cell.node.querySelector(".jp-OutputArea");
        const shown = outputs ? outputs.innerText : "";
        found.push(`cell ${index}: ${JSON.stringify(source)} printed ${JSON.stringify(shown.slice(-1500))}`);
    });
    return found.slice(0, 4).join(" | ");
}"""


_RUN_CELL_JS = """async (snippet) => {
    const app = window.jupyterapp;
    const notebook = app.shell.currentWidget.content;
    const index = notebook.widgets.findIndex(
        (cell) => cell.model.type === "code" && cell.model.sharedModel.getSource().includes(snippet));
    if (index < 0) throw new Error(`no code cell contains ${snippet}`);
    notebook.activeCellIndex = index;
    const before = notebook.widgets[index].model.executionCount;
    app.commands.execute("notebook:run-cell");
    return [index, before];
}"""

_CELL_DONE_JS = """([index, before]) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cell = panel.content.widgets[index];
    const count = cell.model.executionCount;
    return count !== null && count !== before && panel.sessionContext.session.kernel.status === "idle";
}"""


async def run_cell_containing(page: Any, snippet: str, timeout_s: float = 30) -> None:
    """Select the first code cell whose source contains ``snippet`` and run it, as a learner does
    (click the cell, Shift+Enter); wait until it has run."""
    marker = await page.evaluate(_RUN_CELL_JS, snippet)
    await page.wait_for_function(_CELL_DONE_JS, arg=marker, timeout=timeout_s * 1000, polling=100)


async def close_notebook(page: Any) -> None:
    """Shut the open notebook's kernel down and close its tab (a later page would reopen it)."""
    await page.evaluate(
        """async () => {
            const panel = window.jupyterapp.shell.currentWidget;
            if (!panel || !panel.sessionContext) return;
            await panel.sessionContext.shutdown();
            panel.dispose();
        }"""
    )


async def notebook_errors(page: Any) -> list[str]:
    """The error outputs of the open notebook, as "cell N: Name: value"."""
    return await page.evaluate(_ERRORS_JS)


# In-page timing of a real click: the page's own clock notes the click event and the first DOM change
# after it that makes ``done(node)`` true for the watched element.
_ARM_TIMING_JS = """({watched, doneSource}) => {
    const matches = document.querySelectorAll(watched);  // the newest output: the last match
    const node = matches[matches.length - 1];
    if (!node) throw new Error(`not found: ${watched}`);
    const done = new Function("node", doneSource);
    const timing = {clickAt: null, visibleAt: null};
    window.__tnTiming = timing;
    const noteClick = () => { timing.clickAt = performance.now(); };
    document.addEventListener("click", noteClick, {capture: true, once: true});
    const observer = new MutationObserver(() => {
        if (timing.clickAt !== null && done(node)) {
            timing.visibleAt = performance.now();
            observer.disconnect();
        }
    });
    observer.observe(node, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


async def timed_click(page: Any, button: Any, watched: str, done_js: str, timeout_s: float = 60) -> float:
    """Click ``button`` (a Playwright locator) as a person does; milliseconds from the click event
    until the last element matching ``watched`` (a CSS selector) satisfies ``done_js`` (a function
    body of ``node``)."""
    await page.evaluate(_ARM_TIMING_JS, {"watched": watched, "doneSource": done_js})
    await button.click()
    await page.wait_for_function(
        "() => window.__tnTiming.visibleAt !== null", timeout=timeout_s * 1000, polling="raf"
    )
    return await page.evaluate("() => window.__tnTiming.visibleAt - window.__tnTiming.clickAt")
