"""The replay theatre's two budgets, measured and printed:

1. Recording: replaying a history of about 200 events through the workflow code (sandbox on) and
   recording every step, in this process. Target: ≤ 1 s. Prints the first recording (which also
   imports the workflow's module into a fresh sandbox) and the median of the repeats.
2. Stepping in the page: JupyterLab in Chromium shows the theatre of that history; each click with the
   mouse (step, back, or an event in the history) is timed with the page's own clock, from the click
   event's time stamp to the end of the first animation frame after it (a requestAnimationFrame, then a
   message posted from it: the frame's style, layout and paint are done). Target: p50 ≤ 16 ms.
   Also printed:
   - the floors: the same clicks on text with no handler, and on a button with no handler in the bar
     (hover, press and focus as for the theatre's buttons): what the page and machine cost by themselves;
   - where a click's time goes: input delay (time stamp to dispatch), handlers, wait for the frame, the
     frame's own work (animation callbacks, style, layout, paint) — medians;
   - frames to paint: how many animation frames pass until the page shows the new step (lit line and
     event, the step's data; 1: the first frame after the click shows it), and how often that frame
     began more than one frame interval after the click (a frame missed);
   - Chrome's Event Timing ``duration`` of each click (to the frame's presentation, rounded to 8 ms; Chrome
     reports only durations of 16 ms or more, so clicks without an entry took less);
   - with ``--trace FILE``: a Chromium performance trace of extra clicks, and per click the main thread's
     style / layout / paint times in that frame and the style and layout run in the click's own task
     (``TN_TRACE_CATEGORIES=disabled-by-default-devtools.timeline.invalidationTracking`` adds what
     invalidated them, with the script line, to the trace file).
   ``--against REV`` measures the page code (the widget's JS and CSS) of git revision REV in the same
   JupyterLab and Chromium, in alternating rounds (A B B A …), so both see the same machine load.

    .venv/bin/python benchmarks/replay_theatre.py                      # this tree's page code
    .venv/bin/python benchmarks/replay_theatre.py --against main       # before/after, same session
    .venv/bin/python benchmarks/replay_theatre.py --no-record --against 9d9d6f1 --rounds 3
                                                # against the page code before the paint work
    .venv/bin/python benchmarks/replay_theatre.py --no-record --clicks 100 --trace /tmp/theatre.json

Needs Chromium (``apt-get install chromium``) and Playwright for part 2 (``--no-browser`` skips it).
No Chromium flag changes frame pacing (the tests' own launch arguments). Figures depend on the
machine's load: the load average is printed before and after.
Uses its own dev server (state dir under /tmp, free ports, stopped afterwards).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

WIDGET_FILE = "lib/temporal_notebooks/widgets/theatre.py"
KINDS = ["step", "step", "back", "event", "floor", "floor-button"]  # the order clicks cycle through
RANDOM = random.Random(16)  # where in a frame each click lands: the same for every run

# One cell: the page code under test (``page-<name>.json``), then the theatre of the recorded history.
NOTEBOOK_CELL = (
    "import json\n\n"
    "from temporalio.client import WorkflowHistory\n\n"
    "from temporal_notebooks.notebook import replay_theatre\n"
    "from temporal_notebooks.widgets.theatre import ReplayTheatre\n"
    "from temporal_notebooks.workflows.queries import PackingWorkflow\n\n"
    "page = json.load(open('page-{name}.json'))\n"
    "ReplayTheatre._esm, ReplayTheatre._css = page['esm'], page['css']\n"
    "history = WorkflowHistory.from_json('bench-theatre', open('history.json').read())\n"
    "theatre = await replay_theatre(history, PackingWorkflow)\n"
    "theatre"
)

# Before the clicks: Event Timing entries of clicks are kept; a button with no handler joins the bar
# (the button floor); the page's frame interval is measured while nothing else happens.
_SETUP_JS = """async (root) => {
    window.__tnEventTimings = [];
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
            if (e.name !== "click") continue;
            window.__tnEventTimings.push({ start: e.startTime, duration: e.duration });
        }
    }).observe({ type: "event", durationThreshold: 16, buffered: true });
    const noop = document.createElement("button");
    noop.type = "button";
    noop.className = "tn-bench-noop";
    noop.textContent = "no-op";
    root.querySelector(".tn-theatre-play").after(noop);
    const times = [];
    await new Promise((done) => {
        const tick = (t) => {
            times.push(t);
            if (times.length < 61) requestAnimationFrame(tick); else done();
        };
        requestAnimationFrame(tick);
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
    return gaps[Math.floor(gaps.length / 2)];
}"""

# Armed before each click: the page's own clock at the click's time stamp, at its dispatch, after every
# handler (a listener on window bubbles last), at the first animation frame after it (callback start
# and the frame's vsync time) and after that frame's work (a message posted from the callback); and what
# the page shows (step, lit line and event) in that frame and the next two.
_ARM_JS = """(root) => { root.__tnClick = new Promise((resolve) => {
    const t = {};
    const lit = (kind) => root.querySelector(
        `.tn-theatre-${kind}.tn-theatre-lit, .tn-theatre-${kind}.tn-theatre-lit-diverged`);
    const shows = () => {
        const line = lit("line"), event = lit("event");
        return [root.dataset.step, root.dataset.line, root.dataset.event,
                line ? line.dataset.line : "", event ? event.dataset.event : ""];
    };
    const inView = (kind) => {
        const row = lit(kind);
        if (!row) return true;
        const pane = row.parentElement.closest(".tn-theatre-source, .tn-theatre-history");
        const r = row.getBoundingClientRect(), p = pane.getBoundingClientRect();
        return r.top >= p.top - 1 && r.bottom <= p.bottom + 1;
    };
    root.addEventListener("click", (event) => {
        t.clicked = event.timeStamp;
        t.dispatched = performance.now();
        window.addEventListener("click", () => { t.handled = performance.now(); }, { once: true });
        const frames = [];
        const frame = (vsync) => {
            frames.push(shows().join("|"));
            if (frames.length === 1) {
                t.frameStart = performance.now();
                t.vsync = vsync;
                const channel = new MessageChannel();
                channel.port1.onmessage = () => { t.painted = performance.now(); };
                channel.port2.postMessage(0);
            }
            if (frames.length < 3) { requestAnimationFrame(frame); return; }
            const settled = frames[2].split("|");
            t.frames = frames.indexOf(frames[2]) + 1;
            t.consistent = settled[1] === settled[3] && settled[2] === settled[4];
            t.inView = inView("line") && inView("event");
            resolve(t);
        };
        requestAnimationFrame(frame);
    }, { capture: true, once: true });
}); }"""


async def record_figures(items: int, repeats: int, folder: Path) -> list[str]:
    """Run a packing order of ``items`` items (6 history events each), time recording its replay, and
    leave its history in ``folder/history.json`` for the page."""
    from temporalio.client import Client
    from temporalio.common import WorkflowIDConflictPolicy
    from temporalio.worker import Replayer

    from temporal_notebooks.activities.queries import Order, pack_item
    from temporal_notebooks.runtime import devserver
    from temporal_notebooks.runtime.exercises import short_lived_worker
    from temporal_notebooks.runtime.replay import record_replay
    from temporal_notebooks.workflows.queries import PackingWorkflow

    address = devserver.ensure_running().address
    for attempt in range(20):  # a loaded machine: the server answers before its frontend is healthy
        try:
            client = await Client.connect(address)
            break
        except RuntimeError:
            if attempt == 19:
                raise
            await asyncio.sleep(0.5)
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
    (folder / "history.json").write_text(history.to_json())
    if not repeats:
        return [f"history of {len(history.events)} events recorded (recording not timed: --no-record)"]
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


def page_code(revision: str | None) -> dict[str, str]:
    """The widget's JS and CSS: this tree's, or those of git ``revision``."""
    if revision is None:
        text = (ROOT / WIDGET_FILE).read_text()
    else:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:{WIDGET_FILE}"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    values = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("_ESM", "_CSS"):
                values[node.targets[0].id[1:].lower()] = ast.literal_eval(node.value)
    return values


async def click_timings(page: Any, clicks: int, interval: float) -> dict[str, list[dict[str, Any]]]:
    """``clicks`` clicks with the mouse, cycling through ``KINDS``; each one's page timings.

    As a person clicks: the pointer moves onto the target, rests, then presses and releases. The rest
    is random over a frame interval, so the click lands at any point of the frame (Playwright's own
    ``click()`` waits for animation frames first, which would tie every click to one phase of it)."""
    theatre = page.locator(".tn-theatre-root")
    steps = int(await theatre.evaluate("(root) => root.querySelectorAll('.tn-theatre-reachable').length"))
    targets = {
        "step": lambda i: theatre.locator(".tn-theatre-step"),
        "back": lambda i: theatre.locator(".tn-theatre-back"),
        "event": lambda i: theatre.locator(".tn-theatre-reachable").nth((i * 37) % steps),
        "floor": lambda i: theatre.locator(".tn-theatre-counter"),  # text, no handler
        "floor-button": lambda i: theatre.locator(".tn-bench-noop"),  # a button, no handler
    }
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in targets}
    for i in range(clicks):
        kind = KINDS[i % len(KINDS)]
        target = targets[kind](i)
        if await target.is_disabled():  # step at the last step, back at the first: no click event
            continue
        await target.scroll_into_view_if_needed()
        await target.evaluate("(el) => el.scrollIntoView({ block: 'center' })")  # clear of the pane title
        box = await target.bounding_box()
        await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await theatre.evaluate(_ARM_JS)
        await asyncio.sleep((20 + RANDOM.uniform(0, interval)) / 1000)
        await page.mouse.down()
        await page.mouse.up()
        timing = await theatre.evaluate(
            "(root) => Promise.race([root.__tnClick, new Promise((r) => setTimeout(() => r(null), 5000))])"
        )
        assert timing is not None, f"click {i} on {kind} did not reach the theatre"
        by_kind[kind].append(timing)
    return by_kind


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, math.ceil(len(values) * 0.95) - 1)] if values else math.nan


def summarize(
    by_kind: dict[str, list[dict[str, Any]]], event_timings: list[dict], interval: float
) -> list[str]:
    theatre = [t for kind in ("step", "back", "event") for t in by_kind[kind]]
    total = [t["painted"] - t["clicked"] for t in theatre]
    lines = [
        f"  click → end of the next frame: p50 {p50(total):.1f} ms, p95 {p95(total):.1f} ms "
        f"(n={len(total)}); target p50 ≤ 16 ms",
    ]
    for kind in ("step", "back", "event", "floor", "floor-button"):
        values = [t["painted"] - t["clicked"] for t in by_kind[kind]]
        label = {"floor": "floor, text, no handler", "floor-button": "floor, button, no handler"}.get(
            kind, kind
        )
        lines.append(f"    {label:26}: p50 {p50(values):.1f} ms, p95 {p95(values):.1f} ms (n={len(values)})")
    handled = [t for t in theatre if t.get("handled") is not None]
    floors = by_kind["floor"] + by_kind["floor-button"]
    floors_handled = [t for t in floors if t.get("handled") is not None]

    def parts(clicks: list[dict]) -> str:
        return (
            f"input delay {p50([t['dispatched'] - t['clicked'] for t in clicks]):.1f}, "
            f"handlers {p50([t['handled'] - t['dispatched'] for t in clicks]):.2f}, "
            f"wait for the frame {p50([t['frameStart'] - t['handled'] for t in clicks]):.1f}, "
            f"the frame's work {p50([t['painted'] - t['frameStart'] for t in clicks]):.1f}"
        )

    lines.append(f"  where it goes (p50 ms), theatre clicks: {parts(handled)}")
    lines.append(f"                          floor clicks:   {parts(floors_handled)}")
    frames = [t["frames"] for t in theatre]
    counts = ", ".join(f"{n} frame{'s' if n > 1 else ''}: {frames.count(n)}" for n in sorted(set(frames)))
    late = sum(t["vsync"] - t["clicked"] > interval * 1.5 for t in theatre)
    lines.append(
        f"  frames to paint (the first frame after the click shows the step = 1): {counts}; "
        f"frame interval {interval:.1f} ms; frames that began > 1.5 intervals after the click: "
        f"{late}/{len(theatre)}"
    )
    wrong = sum(not t["consistent"] for t in theatre)
    hidden = sum(not t["inView"] for t in theatre)
    lines.append(
        f"  lit line/event disagree with the step: {wrong}; lit row out of its pane's view: {hidden}"
    )
    for label, clicks in (("theatre", theatre), ("floors", floors)):
        durations = []
        for t in clicks:
            match = [e["duration"] for e in event_timings if abs(e["start"] - t["clicked"]) < 0.01]
            durations.append(match[0] if match else None)
        reported = sorted(d for d in durations if d is not None)
        below = len(durations) - len(reported)
        histogram = ", ".join(f"{d:.0f}: {reported.count(d)}" for d in sorted(set(reported)))
        median = (
            "< 16"
            if below * 2 >= len(durations)
            else f"{sorted([0.0] * below + reported)[len(durations) // 2]:.0f}"
        )
        lines.append(
            f"  Event Timing duration, {label}: p50 {median} ms; "
            f"under 16 ms (no entry): {below}/{len(durations)}"
            + (f"; reported ms: {histogram}" if histogram else "")
        )
    return lines


async def page_figures(
    folder: Path, clicks: int, against: str | None, rounds: int, trace: str | None
) -> list[str]:
    import nbformat
    from browser_harness import (
        chromium_browser,
        close_notebook,
        dismiss_news_toast,
        open_notebook,
        run_all_cells,
        running_jupyterlab,
    )

    variants = {"this tree": page_code(None)}
    if against:
        variants = {against: page_code(against), **variants}
    for index, code in enumerate(variants.values()):
        (folder / f"page-{index}.json").write_text(json.dumps(code))
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK_CELL.replace("{name}", str(index)))]
        nbformat.write(nb, folder / f"theatre-{index}.ipynb")
    names = list(variants)
    order = [names[(r + (r // 2 if len(names) > 1 else 0)) % len(names)] for r in range(rounds * len(names))]
    results: dict[str, dict[str, list]] = {name: {} for name in names}
    event_timings: dict[str, list] = {name: [] for name in names}
    intervals: dict[str, list[float]] = {name: [] for name in names}
    traced: dict[str, list[str]] = {}
    with running_jupyterlab(folder) as lab:
        async with chromium_browser() as browser:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            for round_index, name in enumerate(order):
                index = names.index(name)
                await open_notebook(page, lab, f"theatre-{index}.ipynb")
                await run_all_cells(page, timeout_s=240)
                theatre = page.locator(".tn-theatre-root")
                await theatre.scroll_into_view_if_needed()
                await dismiss_news_toast(page)
                interval = await theatre.evaluate(_SETUP_JS)
                intervals[name].append(interval)
                await theatre.locator(".tn-theatre-event").first.click()  # start at the first step
                print(
                    f"  (round {round_index + 1}/{len(order)}: {name}, {os.getloadavg()[0]:.1f} load)",
                    flush=True,
                )
                for kind, timings in (await click_timings(page, clicks // rounds, interval)).items():
                    results[name].setdefault(kind, []).extend(timings)
                event_timings[name].extend(await page.evaluate("() => window.__tnEventTimings"))
                if trace and name not in traced:
                    path = trace if len(names) == 1 else f"{trace}.{index}"
                    await browser.start_tracing(page=page, path=path, categories=TRACE_CATEGORIES)
                    await click_timings(page, 4 * len(KINDS), interval)
                    traced[name] = trace_figures(json.loads(await browser.stop_tracing()), f"{name} ({path})")
                await close_notebook(page)
            await context.close()
    steps = len(json.loads((folder / "history.json").read_text())["events"])
    lines = [f"stepping in the page ({steps} steps; {clicks} clicks per page code, {rounds} rounds each):"]
    for name in names:
        lines.append(f"page code of {name}:")
        lines += summarize(results[name], event_timings[name], statistics.median(intervals[name]))
    return lines + [line for name in names for line in traced.get(name, [])]


TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
    "cc",
    "toplevel",
    *filter(None, os.environ.get("TN_TRACE_CATEGORIES", "").split(",")),
]
# Main-thread work of a frame (inside ProxyMain::BeginMainFrame), as Chromium's trace names it.
FRAME_PHASES = ["FireAnimationFrame", "UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "Commit"]


def trace_figures(data: dict, label: str) -> list[str]:
    """Per traced click, on the renderer's main thread: the click's handlers; the style, layout and
    pre-paint Chromium ran in the click's own task (after its handlers: the lifecycle update after an
    input event, or layout a handler forced); the wait until the next frame began; that frame's phases."""
    events = data["traceEvents"] if isinstance(data, dict) else data
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    slices = sorted(
        (e for e in events if (e.get("pid"), e.get("tid")) in mains and e.get("ph") == "X" and "dur" in e),
        key=lambda e: e["ts"],
    )
    clicks = [
        e for e in slices if e["name"] == "EventDispatch" and e["args"].get("data", {}).get("type") == "click"
    ]
    columns = ["handlers", "style+layout in the click's task", "wait", *FRAME_PHASES, "whole frame"]
    groups: dict[str, dict[str, list[float]]] = {
        group: {name: [] for name in columns} for group in ("theatre", "floors")
    }
    for i, click in enumerate(clicks):
        rows = groups["floors" if KINDS[i % len(KINDS)].startswith("floor") else "theatre"]
        same = [e for e in slices if (e["pid"], e["tid"]) == (click["pid"], click["tid"])]
        task = max(
            (e for e in same if e["name"] == "ThreadControllerImpl::RunTask" and e["ts"] <= click["ts"]
             and e["ts"] + e["dur"] >= click["ts"] + click["dur"]),
            key=lambda e: e["dur"],
            default=click,
        )  # fmt: skip
        task_end = task["ts"] + task["dur"]
        in_task = [e for e in same if task["ts"] <= e["ts"] < task_end]
        rows["handlers"].append(click["dur"] / 1000)
        lifecycle = sum(e["dur"] for e in in_task if e["name"] in ("UpdateLayoutTree", "Layout", "PrePaint"))
        rows["style+layout in the click's task"].append(lifecycle / 1000)
        frame = next(
            (e for e in same if e["name"] == "ProxyMain::BeginMainFrame" and e["ts"] >= task_end), None
        )
        if frame is None:
            continue
        rows["wait"].append((frame["ts"] - task_end) / 1000)
        inside = [e for e in same if frame["ts"] <= e["ts"] < frame["ts"] + frame["dur"]]
        outermost = [
            e for e in inside if not any(o is not e and o["name"] == e["name"] and o["ts"] <= e["ts"]
                                         and e["ts"] + e["dur"] <= o["ts"] + o["dur"] for o in inside)
        ]  # fmt: skip
        for name in FRAME_PHASES:
            rows[name].append(sum(e["dur"] for e in outermost if e["name"] == name) / 1000)
        rows["whole frame"].append(frame["dur"] / 1000)
    lines = [f"trace of {len(clicks)} clicks, page code of {label}, renderer main thread, ms:"]
    for group, rows in groups.items():
        n = len(rows["handlers"])
        lines.append(f"  {group} (n={n}) p50: " + ", ".join(f"{k} {p50(v):.2f}" for k, v in rows.items()))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--clicks", type=int, default=120, help="per page code, all rounds together")
    parser.add_argument("--items", type=int, default=33, help="items packed: 6 events each, plus 5")
    parser.add_argument("--against", metavar="REV", help="also measure the page code of git revision REV")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per page code (alternating)")
    parser.add_argument("--trace", metavar="FILE", help="trace extra clicks into FILE and print phases")
    parser.add_argument("--no-record", action="store_true", help="skip timing the recording")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    from temporal_notebooks.runtime import devserver

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    folder = Path(tempfile.mkdtemp(prefix="tn-theatre-bench-"))
    os.environ[devserver.HOME_ENV] = tempfile.mkdtemp(prefix="tn-theatre-bench-")
    os.environ["TEMPORAL_NOTEBOOKS_LEARNER"] = "bench"
    os.environ[devserver.PORT_ENV] = str(devserver._free_port())
    os.environ[devserver.UI_PORT_ENV] = str(devserver._free_port())
    try:
        devserver.ensure_running()
        lines = asyncio.run(record_figures(args.items, 0 if args.no_record else args.repeats, folder))
        print("\n".join(lines), flush=True)
        if not args.no_browser:
            from browser_harness import missing_browser_reason

            reason = missing_browser_reason()
            if reason:
                print(f"page figures skipped: {reason}")
            else:
                figures = asyncio.run(
                    page_figures(folder, args.clicks, args.against, args.rounds, args.trace)
                )
                print("\n".join(figures), flush=True)
    finally:
        devserver.stop()
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
