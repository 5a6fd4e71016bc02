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
  the live state view of the learner's own panel, which Run All leaves running.

Where the time goes: the lesson widgets' button bar (``widgets/actionbar.py``) stamps each click,
page and kernel sharing the machine's clock: sent by the page → received by the kernel's comm
handler → the scheduled work starts on the kernel's loop → the work (Temporal call, widget values
set) ends → the answer is on the page (kernel → page message and render). Printed as medians.

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
STAGES = {
    "page → kernel (comm message)": ("sent_at", "received_at"),
    "kernel: handler → work starts": ("received_at", "started_at"),
    "kernel: the work (Temporal, values set)": ("started_at", "finished_at"),
    "kernel → page, answer rendered": ("finished_at", "visible_at"),
}

# The timings the bar kept for the latest click (once its "done" has arrived), and when the answer
# became visible on the page's own clock.
_LAST_TIMING_JS = """(count) => {
    const timings = window.__tnActionTimings || [];
    if (timings.length <= count) return null;
    const last = timings[timings.length - 1];
    return {...last, visible_at: performance.timeOrigin + window.__tnTiming.visibleAt, count: timings.length};
}"""


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


def breakdown(label: str, timings: list[dict]) -> list[str]:
    """Median milliseconds per stage of a click (see the module docstring)."""
    if not timings:
        return []
    lines = [f"  where the time goes ({label}), medians:"]
    for stage, (start, end) in STAGES.items():
        values = [t[end] - t[start] for t in timings]
        lines.append(f"    {stage:<42} {statistics.median(values):6.1f} ms")
    return lines


class TimedClicks:
    """Clicks timed in the page, with the bar's per-stage stamps for each."""

    def __init__(self, page) -> None:
        self.page = page
        self.seen = 0

    async def click(self, button, watched: str, done_js: str, into: list[float], stages: list[dict]) -> None:
        into.append(await timed_click(self.page, button, watched, done_js))
        timing = None
        for _ in range(200):  # the "done" message follows the answer by a moment
            timing = await self.page.evaluate(_LAST_TIMING_JS, self.seen)
            if timing:
                break
            await self.page.wait_for_timeout(5)
        if timing:
            self.seen = timing["count"]
            stages.append(timing)


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
    stages: dict[int, list[dict]] = {id(accepted): [], id(rejected): [], id(unread): []}
    clicks_timed = TimedClicks(page)
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
        await clicks_timed.click(submit, ".tn-update-result", done, into, stages[id(into)])
    return [
        f"notebook 08: Run All in JupyterLab {run_all_s:.1f} s",
        summary("update form, rejected by the validator", rejected),
        *breakdown("rejected", stages[id(rejected)]),
        summary("update form, accepted (result shown)", accepted),
        *breakdown("accepted", stages[id(accepted)]),
        summary("update form, text unreadable (no server call)", unread),
        *breakdown("no server call", stages[id(unread)]),
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
    stages: list[dict] = []
    clicks_timed = TimedClicks(page)
    for click in range(clicks):
        name = f"Learner{click}"
        await text_box.fill(name)
        done = f"return node.textContent.includes('Hello, {name}!');"
        await clicks_timed.click(greet, ".tn-signal-panel .tn-state-view", done, times, stages)
    return [
        f"notebook 06: Run All in JupyterLab {run_all_s:.1f} s",
        summary("signal panel, click → new greeting shown", times),
        *breakdown("signal panel", stages),
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
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(main)
