"""Every notebook after Run All in JupyterLab in Chromium: a screenshot of the whole notebook, and no
lesson widget or picture whose text runs out of its box, is cut, or wraps where it must not.

What is checked, in the page's own layout:
- every element of a lesson widget or lesson HTML output (classes ``tn-…``) holds its content:
  ``scrollWidth <= clientWidth`` (an ellipsis or a clipped label fails this too);
- ``.tn-nowrap`` texts (times such as "1637 ms", learner ids) stay on one line;
- SVG labels (``<text data-max-x>``: timeline lanes, the class chart) end before their bars begin;
- no output shows a character as an escape (``\\u20ac`` for "€").
Screenshots are kept under the test's tmp_path (the path is printed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_harness import (
    NOTEBOOKS,
    JupyterLab,
    close_notebook,
    new_page,
    notebook_errors,
    open_notebook,
    run_all_cells,
)
from temporalio.client import Client

from temporal_notebooks.activities.signals import GreeterInput
from temporal_notebooks.workflows.signals import GreeterWorkflow

NOTEBOOK_NAMES = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
TALLEST_SHOT_PX = 16000

_LAYOUT_PROBLEMS_JS = """() => {
    const problems = [];
    const describe = (el) => {
        const cls = [...el.classList].filter((c) => c.startsWith("tn-"))[0] || el.tagName.toLowerCase();
        const owner = el.closest('[class*="tn-"]');
        const ownerClass = owner && [...owner.classList].find((c) => c.startsWith("tn-"));
        const where = owner && owner !== el ? ` in ${ownerClass}` : "";
        return `${cls}${where} "${(el.innerText || el.value || "").trim().slice(0, 60)}"`;
    };
    const checked = new Set();
    const roots = document.querySelectorAll('.jp-OutputArea-output [class*="tn-"]');
    for (const root of roots) {
        for (const el of [root, ...root.querySelectorAll("*")]) {
            if (checked.has(el) || el.closest("svg")) continue;
            checked.add(el);
            if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
                problems.push(`${describe(el)} overflows: ${el.scrollWidth} px in ${el.clientWidth} px`);
            }
        }
    }
    for (const el of document.querySelectorAll(".jp-OutputArea-output .tn-nowrap")) {
        const range = document.createRange();
        range.selectNodeContents(el);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        if (lines > 1) problems.push(`${describe(el)} wraps onto ${lines} lines`);
    }
    for (const text of document.querySelectorAll(".jp-OutputArea-output svg text[data-max-x]")) {
        const box = text.getBBox();
        if (box.x + box.width > Number(text.dataset.maxX) + 0.5) {
            problems.push(`SVG label "${text.textContent}" is cut: ends at ${Math.round(box.x + box.width)},`
                + ` its room ends at ${text.dataset.maxX}`);
        }
    }
    // Text shown as an escape ("\\u20ac") instead of its character ("€").
    for (const output of document.querySelectorAll(".jp-OutputArea-output")) {
        const escaped = (output.innerText || "").match(/\\\\u[0-9a-fA-F]{4}/);
        if (escaped) problems.push(`an output shows the escape ${escaped[0]} instead of its character`);
    }
    return problems;
}"""

_NOTEBOOK_HEIGHT_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const scrollers = [...panel.node.querySelectorAll("*")]
        .filter((el) => el.scrollHeight > el.clientHeight + 1);
    const tallest = scrollers.sort((a, b) => b.scrollHeight - a.scrollHeight)[0];
    if (!tallest) return window.innerHeight;
    const height = tallest.scrollHeight + (window.innerHeight - tallest.clientHeight);
    tallest.scrollTop = 0;  // Run All left it at the last cell: show the notebook from its top
    return height;
}"""


@pytest.fixture(scope="module")
async def learner_with_a_hyphenated_id(client: Client):
    """A run under a learner id like "learner-a", so the instructor view has such a row to lay out."""
    handle = await client.start_workflow(
        GreeterWorkflow.run,
        GreeterInput(),
        id=f"learner-a.greeter-{uuid.uuid4().hex[:6]}",
        task_queue="learner-a.signals",  # nobody polls it: the run just stays open
    )
    yield handle
    await handle.terminate("page look test done")


@dataclass
class LabPage:
    page: Any
    reload_next: bool = False  # set after a failure: whatever it left open, the next test starts clean


@pytest.fixture(scope="module")
async def lab_page(browser, jupyterlab: JupyterLab):
    """One page of Lab for every notebook, each opened from the Lab already loaded, as a learner goes
    from lesson to lesson. After a failure the next notebook gets a freshly loaded Lab."""
    page = await new_page(browser)
    yield LabPage(page)
    await page.context.close()


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
async def test_after_run_all_no_lesson_text_overflows_or_is_cut(
    name: str, jupyterlab: JupyterLab, lab_page: LabPage, learner_with_a_hyphenated_id, tmp_path: Path
) -> None:
    page = lab_page.page
    passed = False
    try:
        await open_notebook(page, jupyterlab, name, in_open_lab=not lab_page.reload_next)
        await run_all_cells(page, timeout_s=240)
        assert await notebook_errors(page) == []
        await page.wait_for_timeout(500)  # let the last widget values arrive and render
        # A window as tall as the notebook: every cell laid out and in one screenshot.
        height = min(await page.evaluate(_NOTEBOOK_HEIGHT_JS), TALLEST_SHOT_PX)
        await page.set_viewport_size({"width": 1400, "height": max(1000, height)})
        await page.wait_for_timeout(300)
        shot = tmp_path / f"{Path(name).stem}.png"
        await page.screenshot(path=str(shot))
        print(f"\n{name}: screenshot {shot}")
        assert await page.evaluate(_LAYOUT_PROBLEMS_JS) == []
        passed = True
    finally:
        lab_page.reload_next = not passed
        await close_notebook(page)
        await page.set_viewport_size({"width": 1400, "height": 1000})
