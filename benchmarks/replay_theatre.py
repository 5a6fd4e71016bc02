"""The replay theatre's two budgets, measured and printed:

1. Recording: replaying a history of about 200 events through the workflow code (sandbox on) and
   recording every step, in this process. Target: ≤ 1 s. Prints the first recording (which also
   imports the workflow's module into a fresh sandbox) and the median of the repeats.
2. Stepping in the page: JupyterLab in Chromium shows the theatre of that history; each person's click
   (step, back, or an event in the history) is timed with the page's own clock from the click event to
   the first frame painted after it (a requestAnimationFrame, then a message posted after that frame).
   Target: p50 ≤ 16 ms (one animation frame). Also prints the floor (a click on text with no handler,
   timed the same way: what the page and machine cost before the widget does anything) and the time
   from a step's start to the next animation frame's callback.

    .venv/bin/python benchmarks/replay_theatre.py [--repeats 10] [--clicks 60] [--items 33]

Needs Chromium (``apt-get install chromium``) and Playwright for part 2 (``--no-browser`` skips it).
Uses its own dev server (state dir under /tmp, free ports, stopped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

WORKFLOW_ID = "bench-theatre"

# Connect, run a packing order of ``items`` items (6 history events each), show its theatre.
NOTEBOOK_CELLS = [
    "from temporal_notebooks.notebook import *\n\nclient = await connect()",
    "from temporal_notebooks.activities.queries import Order, pack_item\n"
    "from temporal_notebooks.workflows.queries import PackingWorkflow\n"
    "from temporalio.common import WorkflowIDConflictPolicy\n\n"
    "QUEUE = scoped('bench-theatre')\n"
    "worker = await start_worker(client, QUEUE, workflows=[PackingWorkflow], activities=[pack_item])\n"
    "order = Order([f'item {i}' for i in range({items})], 0)\n"
    "handle = await client.start_workflow(PackingWorkflow.run, order, id=scoped('bench-theatre'),"
    " task_queue=QUEUE, id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)\n"
    "await handle.result()",
    "theatre = await replay_theatre(handle)\ntheatre",
]

# Click ``selector`` inside the theatre with the mouse (Playwright) and time it in the page: from the
# click event's own timestamp to the frame painted after the handler ran.
_ARM_JS = """(root) => { root.__tnClickPainted = new Promise((resolve) => {
    root.addEventListener("click", (event) => {
        const clicked = event.timeStamp;
        requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => resolve(performance.now() - clicked);
            channel.port2.postMessage(0);
        });
    }, { capture: true, once: true });
}); }"""


async def record_figures(items: int, repeats: int) -> list[str]:
    from temporalio.client import Client
    from temporalio.common import WorkflowIDConflictPolicy
    from temporalio.worker import Replayer

    from temporal_notebooks.activities.queries import Order, pack_item
    from temporal_notebooks.runtime import devserver
    from temporal_notebooks.runtime.exercises import short_lived_worker
    from temporal_notebooks.runtime.replay import record_replay
    from temporal_notebooks.workflows.queries import PackingWorkflow

    client = await Client.connect(devserver.ensure_running().address)
    async with short_lived_worker(
        client, "bench-record", workflows=[PackingWorkflow], activities=[pack_item]
    ):
        handle = await client.start_workflow(
            PackingWorkflow.run,
            Order([f"item {i}" for i in range(items)], 0),
            id="bench-record",
            task_queue="bench-record",
            id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
        )
        await handle.result()
    history = await handle.fetch_history()
    started = time.perf_counter()
    recording = await record_replay(history, PackingWorkflow)
    first = time.perf_counter() - started
    assert recording.divergence is None and len(recording.steps) == len(history.events)
    # Interleaved with the same replay without recording (what the SDK's Replayer costs by itself), so
    # both see the same load on a shared machine.
    times, plain = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        await record_replay(history, PackingWorkflow)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        await Replayer(workflows=[PackingWorkflow]).replay_workflow(history)
        plain.append(time.perf_counter() - started)
    size = len(json.dumps(recording.to_json()))
    return [
        f"recording a history of {len(history.events)} events ({len(recording.steps)} steps, "
        f"{size / 1024:.0f} KiB of JSON for the page):",
        f"  first (fresh sandbox import): {first * 1000:.0f} ms",
        f"  median of {repeats} more:      {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); target ≤ 1000 ms",
        f"  plain Replayer, no recording: median {statistics.median(plain) * 1000:.0f} ms",
    ]


async def page_figures(items: int, clicks: int) -> list[str]:
    import nbformat
    from browser_harness import (
        chromium_browser,
        dismiss_news_toast,
        open_notebook,
        run_all_cells,
        running_jupyterlab,
    )

    folder = Path(tempfile.mkdtemp(prefix="tn-theatre-bench-"))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(cell.replace("{items}", str(items))) for cell in NOTEBOOK_CELLS]
    nbformat.write(nb, folder / "theatre.ipynb")
    with running_jupyterlab(folder) as lab:
        async with chromium_browser() as browser:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            await open_notebook(page, lab, "theatre.ipynb")
            print("  (JupyterLab open; running the notebook)", flush=True)
            await run_all_cells(page, timeout_s=240)
            print("  (ran; clicking)", flush=True)
            theatre = page.locator(".tn-theatre-root")
            await theatre.scroll_into_view_if_needed()
            await dismiss_news_toast(page)
            steps = int(
                await theatre.evaluate("(root) => root.querySelectorAll('.tn-theatre-reachable').length")
            )
            await theatre.locator(".tn-theatre-event").first.click()  # start at the first step
            await page.evaluate("() => { window.__tnTheatreTimings = []; }")
            by_kind: dict[str, list[float]] = {"step": [], "back": [], "event": [], "floor": []}
            for i in range(clicks + clicks // 4):
                kind = ["step", "step", "back", "event", "floor"][i % 5]
                target = {
                    "step": theatre.locator(".tn-theatre-step"),
                    "back": theatre.locator(".tn-theatre-back"),
                    "event": theatre.locator(".tn-theatre-reachable").nth((i * 37) % steps),
                    "floor": theatre.locator(".tn-theatre-counter"),  # no handler: the page's own floor
                }[kind]
                await target.scroll_into_view_if_needed()
                await theatre.evaluate(_ARM_JS)
                await target.click()
                by_kind[kind].append(await theatre.evaluate("(root) => root.__tnClickPainted"))
            scripts = await page.evaluate("() => window.__tnTheatreTimings.map((t) => t.script_ms)")
            await context.close()
    floor = by_kind.pop("floor")
    every = [ms for values in by_kind.values() for ms in values]
    lines = [
        f"stepping in the page ({steps} steps, {clicks} clicks), click → next painted frame:",
        f"  all:   p50 {statistics.median(every):.1f} ms, "
        f"p95 {sorted(every)[int(len(every) * 0.95) - 1]:.1f} ms; target p50 ≤ 16 ms",
    ]
    for kind, values in by_kind.items():
        lines.append(f"  {kind:5}: p50 {statistics.median(values):.1f} ms (n={len(values)})")
    lines.append(
        f"  floor, a click on text with no handler: p50 {statistics.median(floor):.1f} ms (n={len(floor)})"
    )
    lines.append(
        f"  a step's start to the next animation frame callback: p50 {statistics.median(scripts):.2f} ms"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--clicks", type=int, default=60)
    parser.add_argument("--items", type=int, default=33, help="items packed: 6 events each, plus 5")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    from temporal_notebooks.runtime import devserver

    os.environ[devserver.HOME_ENV] = tempfile.mkdtemp(prefix="tn-theatre-bench-")
    os.environ["TEMPORAL_NOTEBOOKS_LEARNER"] = "bench"
    os.environ[devserver.PORT_ENV] = str(devserver._free_port())
    os.environ[devserver.UI_PORT_ENV] = str(devserver._free_port())
    try:
        devserver.ensure_running()
        lines = asyncio.run(record_figures(args.items, args.repeats))
        print("\n".join(lines), flush=True)
        if not args.no_browser:
            from browser_harness import missing_browser_reason

            reason = missing_browser_reason()
            if reason:
                print(f"page figures skipped: {reason}")
            else:
                print("\n".join(asyncio.run(page_figures(args.items, args.clicks))), flush=True)
    finally:
        devserver.stop()


if __name__ == "__main__":
    main()
