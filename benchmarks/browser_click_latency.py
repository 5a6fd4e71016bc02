"""Click → visible in a real browser: JupyterLab in Chromium, a person's click on a lesson widget,
until the answer is on the page.

For each notebook it opens the notebook in a JupyterLab started here, runs all cells, then clicks
``--clicks`` times and times each click with the page's own clock: from the click event to the
first DOM change that shows the answer. Prints median / p95 / min.

- ``08``: the update form. Clicks rotate between an item the validator rejects, one it accepts,
  and text the form cannot read, reported separately: a rejection costs one validator round trip,
  an accepted update also writes two history events, and unreadable text never leaves the kernel
  (browser → kernel → browser alone, the floor for any widget).
- ``06``: the signal panel's "Greet" button, each click with a new name, until the greeting is in
  the live state view. Run All closes that notebook's workflow and stops its worker, so the worker
  and panel cells are run again first, as a learner would.

    .venv/bin/python benchmarks/browser_click_latency.py [--clicks 50] [--notebooks 08 06]

Needs Chromium (``apt-get install chromium``) and Playwright. Uses its own dev server (state dir
under /tmp, stopped afterwards) unless TEMPORAL_NOTEBOOKS_HOME is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_harness import (  # noqa: E402
    chromium_browser,
    dismiss_news_toast,
    missing_browser_reason,
    notebook_errors,
    open_notebook,
    run_all_cells,
    running_jupyterlab,
    timed_click,
)

SKUS = ["apple", "bread", "coffee", "milk"]  # 10 of each allowed per cart: 40 accepted adds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:<46} (no clicks)"
    return (
        f"{label:<46} n={len(values):<3} p50 {statistics.median(values):6.0f} ms   "
        f"p95 {percentile(values, 0.95):6.0f} ms   min {min(values):6.0f} ms"
    )


async def bench_update_form(page, lab, clicks: int) -> list[str]:
    await open_notebook(page, lab, "08_updates.ipynb")
    run_all_s = await run_all_cells(page)
    problems = await notebook_errors(page)
    if problems:
        raise RuntimeError(f"notebook 08 raised: {problems}")
    form_input = page.locator(".tn-update-input input")
    submit = page.locator(".tn-update-submit")
    result = page.locator(".tn-update-result")
    await result.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    accepted: list[float] = []
    rejected: list[float] = []
    unread: list[float] = []
    added = 2  # the notebook's own cell put 2 apples in the form's cart
    for click in range(clicks):
        seq = int(await result.locator("[data-seq]").get_attribute("data-seq"))
        if click % 3 == 2:
            text, into = "apple lots", unread  # no server call: the widget round trip alone
        elif click % 3 == 0 or added >= 10 * len(SKUS):
            text, into = "durian", rejected
        else:
            text, into = f"{SKUS[added // 10]} 1", accepted
            added += 1
        await form_input.fill(text)
        done = (
            "const s = node.querySelector('[data-seq]');"
            f" return !!s && Number(s.dataset.seq) > {seq} && s.dataset.status !== 'pending';"
        )
        into.append(await timed_click(page, submit, ".tn-update-result", done))
    return [
        f"notebook 08: Run All in JupyterLab {run_all_s:.1f} s",
        summary("update form, rejected by the validator", rejected),
        summary("update form, accepted (result shown)", accepted),
        summary("update form, text unreadable (no server call)", unread),
    ]


async def bench_signal_panel(page, lab, clicks: int) -> list[str]:
    await open_notebook(page, lab, "06_signals.ipynb")
    run_all_s = await run_all_cells(page)
    problems = await notebook_errors(page)
    if problems:
        raise RuntimeError(f"notebook 06 raised: {problems}")
    panel = page.locator(".tn-signal-panel").last  # the learner's own panel, left running by Run All
    await panel.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    text_box = panel.locator(".tn-signal-text input")
    greet = panel.locator(".tn-signal-button.tn-signal-greet")
    times: list[float] = []
    for click in range(clicks):
        name = f"Learner{click}"
        await text_box.fill(name)
        done = f"return node.textContent.includes('Hello, {name}!');"
        times.append(await timed_click(page, greet, ".tn-signal-panel .tn-state-view", done))
    return [
        f"notebook 06: Run All in JupyterLab {run_all_s:.1f} s",
        summary("signal panel, click → new greeting shown", times),
    ]


async def run(clicks: int, notebooks: list[str]) -> list[str]:
    lines: list[str] = []
    with running_jupyterlab() as lab:
        async with chromium_browser() as browser:
            for notebook in notebooks:
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                page = await context.new_page()
                try:
                    bench = bench_update_form if notebook == "08" else bench_signal_panel
                    lines += await bench(page, lab, clicks)
                finally:
                    await context.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--notebooks", nargs="+", choices=["08", "06"], default=["08", "06"])
    args = parser.parse_args()
    reason = missing_browser_reason()
    if reason:
        sys.exit(f"cannot run: {reason}")
    own_server = "TEMPORAL_NOTEBOOKS_HOME" not in os.environ
    if own_server:
        os.environ["TEMPORAL_NOTEBOOKS_HOME"] = tempfile.mkdtemp(prefix="tn-browser-bench-")
    os.environ.setdefault("TEMPORAL_NOTEBOOKS_LEARNER", "bench")
    from temporal_notebooks.runtime import devserver

    started = time.perf_counter()
    try:
        devserver.ensure_running()
        lines = asyncio.run(run(args.clicks, args.notebooks))
    finally:
        if own_server:
            devserver.stop()
    print(f"click → visible on the page (JupyterLab, Chromium), {args.clicks} clicks per notebook:")
    for line in lines:
        print("  " + line)
    print(f"(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
