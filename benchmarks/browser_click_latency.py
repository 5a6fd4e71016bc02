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
  the live state view of the learner's own panel, which Run All leaves running. Where its time goes
  (issue 19 §4): each round clicks the same panel five ways, interleaved so that the machine's load
  hits all five alike:
    - *page shown, a person's click*: Playwright's click, as above;
    - *page shown, script's click*: ``button.click()`` from the page's own script (no Playwright
      actionability checks, the end noticed by a 20 ms poll instead of one per frame);
    - *page hidden*: the script's click with JupyterLab's shell ``display: none`` (the page still
      handles every message and DOM change, but lays out and paints nothing);
    - *lesson kernel, click by code*: the page's click message handed to the lesson kernel's panel by a
      second client of that kernel (no page click, page hidden);
    - *bare kernel*: a second kernel of the same Jupyter server with the lesson's worker, greeter and
      panel and nothing else (no lesson import, no worker status line, no page: what
      ``signal_latency.py`` measures), clicked the same way.
  It prints each mode's click → shown, "the work" (handler → values set, in the kernel) and the kernel's
  CPU time per click, the paired differences, the CPU time per click of every process (both kernels,
  Jupyter server, Chromium, dev server, the driver), the load average, the RPCs each kernel sent per
  click, its background tasks, and the server's own time per click (from the history's timestamps).
  Then, unless ``--no-profile``, py-spy samples both kernels during more clicks and prints where
  their time goes.

Where the time goes: the lesson widgets' button bar (``widgets/actionbar.py``) stamps each click,
page and kernel sharing the machine's clock: sent by the page → received by the kernel's comm
handler → the scheduled work starts on the kernel's loop → the work (Temporal call, widget values
set) ends → the answer is on the page (kernel → page message and render). Printed as medians.

    .venv/bin/python benchmarks/browser_click_latency.py --notebooks 06 --clicks 40

(all of it: ``[--clicks 50] [--notebooks 08 06] [--no-profile]``). Needs Chromium (``apt-get install
chromium``), Playwright and, for the profile, py-spy (test extras). Uses its own dev server (state dir
under /tmp, stopped afterwards) unless TEMPORAL_NOTEBOOKS_HOME is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_harness import (  # noqa: E402
    _ARM_TIMING_JS,
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
        await self.collect(stages)

    async def collect(self, stages: list[dict]) -> None:
        """The bar's stamps of the latest click, once its "done" has reached the page."""
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


# --- lesson 06: the signal panel, and where its click's time goes ------------------------------------

# Modes of the same click, interleaved round by round (see the module docstring).
SHOWN, SCRIPTED, HIDDEN, LESSON_CODE, BARE = "shown", "scripted", "hidden", "lesson-code", "bare"
MODES = [SHOWN, SCRIPTED, HIDDEN, LESSON_CODE, BARE]
PAGE_MODES = (SHOWN, SCRIPTED, HIDDEN)
MODE_LABELS = {
    SHOWN: "lesson kernel, page shown, a person's click",
    SCRIPTED: "lesson kernel, page shown, script's click",
    HIDDEN: "lesson kernel, page hidden (no layout/paint)",
    LESSON_CODE: "lesson kernel, click by code, page hidden",
    BARE: "bare kernel (same Jupyter server + dev server)",
}
STATE_VIEW = ".tn-signal-panel .tn-state-view"
_CLICK_TO_VISIBLE_JS = "() => window.__tnTiming.visibleAt - window.__tnTiming.clickAt"
GREETING_DONE_JS = "return node.textContent.includes('Hello, {name}!');"
# Hidden: JupyterLab's shell is display:none. Shown again, Lumino lays its panels out afresh (a window
# "resize"), as they were measured at zero size while hidden.
_SHELL_SHOWN_JS = """(shown) => {
    document.querySelector('.jp-LabShell').style.display = shown ? '' : 'none';
    if (shown) window.dispatchEvent(new Event('resize'));
    return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
_SET_TEXT_JS = "(input, text) => { input.value = text; }"
SETTLE_AFTER_TOGGLE_MS = 300  # the re-shown page lays out and paints before the next click

# The bare kernel: the lesson's worker, greeter and panel (same buttons, same read-back), nothing else:
# no lesson import, no worker status line, no page (what benchmarks/signal_latency.py measures).
BARE_SETUP = """
from temporalio.common import WorkflowIDConflictPolicy
from temporal_notebooks.activities.signals import GreeterInput, format_greeting
from temporal_notebooks.runtime import connect, scoped, start_worker
from temporal_notebooks.widgets.panels import SignalButton, signal_panel
from temporal_notebooks.workflows.signals import GreeterWorkflow, GreetingRelayWorkflow

client = await connect(quiet=True)
_queue = scoped("bench-bare-signals")
await start_worker(
    client, _queue, workflows=[GreeterWorkflow, GreetingRelayWorkflow], activities=[format_greeting],
    show_status=False,
)
_greeter = await client.start_workflow(
    GreeterWorkflow.run, GreeterInput("Hello"), id=scoped("bench-bare-greeter"), task_queue=_queue,
    id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
)
bench_panel = signal_panel(
    _greeter, GreeterWorkflow.state,
    [
        SignalButton("Greet", GreeterWorkflow.submit_greeting, takes_text=True),
        SignalButton("Say 'Good evening'", GreeterWorkflow.set_salutation, arg="Good evening"),
        SignalButton("Exit", GreeterWorkflow.exit),
    ],
    read_back=GreeterWorkflow.settled_state, title="Greeter",
)
await bench_panel.wait_for(lambda state: state is not None)
"""

# What the kernel sends the server (by RPC name, counted on its client) and runs in the background
# (asyncio tasks by coroutine), printed after the clicks.
KERNEL_PROBE = """
import asyncio as _tn_asyncio, collections as _tn_collections, json as _tn_json
from temporal_notebooks.runtime import connect as _tn_connect

_tn_rpcs = _tn_collections.Counter()
_tn_service = (await _tn_connect(quiet=True)).service_client
_tn_rpc_call = _tn_service._rpc_call


async def _tn_counting_rpc_call(rpc, *args, **kwargs):
    _tn_rpcs[rpc] += 1
    return await _tn_rpc_call(rpc, *args, **kwargs)


_tn_service._rpc_call = _tn_counting_rpc_call


async def _tn_server_times(greeter):  # per greeted name: signal → activity → workflow task completed
    from temporalio.api.enums.v1 import EventType

    times, name, signalled, activity_done = {}, None, None, False
    async for event in greeter.fetch_history_events():
        at = event.event_time.ToNanoseconds() / 1e6
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            payloads = event.workflow_execution_signaled_event_attributes.input.payloads
            name = _tn_json.loads(payloads[0].data) if payloads else None
            signalled, activity_done = at, False
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            activity_done = True
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and activity_done and signalled:
            times[str(name)] = at - signalled
            signalled, activity_done = None, False
    return times


async def _tn_report(greeter):
    tasks = _tn_collections.Counter(
        getattr(task.get_coro(), "__qualname__", "?") for task in _tn_asyncio.all_tasks()
    )
    server = await _tn_server_times(greeter)
    print("TN-PROBE " + _tn_json.dumps({"rpcs": _tn_rpcs, "tasks": tasks, "server": server}))
"""

# A click by code that takes the page's path in the kernel: the same "action" message, handled and
# stamped by the same code (widgets/actionbar.py), so its stages compare with a page's click.
CLICK_BY_CODE = """
async def _tn_bench_click(panel, name):
    import json, time
    bar = panel.controls
    clicked = time.perf_counter()
    message = {"event": "action", "action": "Greet", "text": name, "id": "code-" + name,
               "sent_at": time.time() * 1000}
    bar._on_message(bar, message, [])
    await bar.settled()
    timing = bar.timings[-1]
    print("TN-CLICK " + json.dumps({
        "shown": f"Hello, {name}!" in panel.state_view.value,
        "visible": (panel.state_shown_at - clicked) * 1000,
        "dispatch": timing.started_at - timing.received_at,
        "work": timing.finished_at - timing.started_at,
        "cpu": timing.cpu_ms,
    }))
"""


@dataclasses.dataclass
class Kernel:
    """A kernel of the benchmark's JupyterLab, reached with a second client of its own."""

    name: str
    kernel_id: str
    pid: int
    client: Any

    async def run(self, code: str, timeout_s: float = 120) -> str:
        """Execute ``code``; what it printed. Messages of the page's own traffic are passed over."""
        msg_id = self.client.execute(code, store_history=False)
        printed: list[str] = []
        while True:
            msg = await self.client.get_iopub_msg(timeout=timeout_s)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                raise RuntimeError(f"{self.name}: {content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(printed)

    async def probe(self, greeter: str) -> dict:
        printed = await self.run(f"await _tn_report({greeter})")
        line = next(line for line in printed.splitlines() if line.startswith("TN-PROBE "))
        return json.loads(line.removeprefix("TN-PROBE "))

    async def click(self, panel: str, name: str) -> dict:
        printed = await self.run(f"await _tn_bench_click({panel}, {name!r})")
        line = next(line for line in printed.splitlines() if line.startswith("TN-CLICK "))
        result = json.loads(line.removeprefix("TN-CLICK "))
        if not result["shown"]:
            raise RuntimeError(f"{self.name}: 'Hello, {name}!' never reached the panel")
        return result


def _kernel_pid(lab, kernel_id: str) -> int:
    import psutil

    for process in psutil.Process(lab.process.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if any(kernel_id in arg for arg in process.cmdline()):
                return process.pid
    raise RuntimeError(f"no process found for kernel {kernel_id}")


async def attach_kernel(lab, name: str, kernel_id: str) -> Kernel:
    from jupyter_client.asynchronous import AsyncKernelClient

    (connection_file,) = (lab.home / "runtime").glob(f"kernel-{kernel_id}*.json")
    client = AsyncKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    client.start_channels(hb=False)  # a heartbeat not yet seen (a loaded machine) reads as a dead kernel
    await client.wait_for_ready(timeout=120)
    return Kernel(name, kernel_id, _kernel_pid(lab, kernel_id), client)


def start_bare_kernel(lab) -> str:
    """A new python3 kernel of the same Jupyter server (its REST API), as JupyterLab starts one."""
    request = urllib.request.Request(
        f"{lab.base_url}/api/kernels",
        data=b'{"name": "python3"}',
        method="POST",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["id"]


class CpuMeter:
    """CPU time (user + system) of each process group, read from the OS around each click."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        import psutil

        self.groups = {
            name: [psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)]
            for name, pids in groups.items()
        }
        self.spent: dict[str, dict[str, float]] = {}  # mode → group → CPU ms, summed over its clicks

    def read(self) -> dict[str, float]:
        import psutil

        totals = {}
        for name, processes in self.groups.items():
            total = 0.0
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    total += times.user + times.system
            totals[name] = total * 1000
        return totals

    def add(self, mode: str, before: dict[str, float]) -> None:
        after = self.read()
        spent = self.spent.setdefault(mode, dict.fromkeys(self.groups, 0.0))
        for name in self.groups:
            spent[name] += after[name] - before[name]


def process_groups(lab, lesson: Kernel, bare: Kernel) -> dict[str, list[int]]:
    import psutil

    from temporal_notebooks.runtime import devserver

    mine = psutil.Process()
    names = {}
    for process in mine.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            names[process.pid] = process.name().lower()
    chromium = [pid for pid, name in names.items() if "chrom" in name]
    driver = [mine.pid] + [pid for pid, name in names.items() if name == "node"]
    record = devserver.read_record()
    return {
        "lesson kernel": [lesson.pid],
        "bare kernel": [bare.pid],
        "Jupyter server": [lab.process.pid],
        "Chromium (all its processes)": chromium,
        "Temporal dev server": [record.pid] if record else [],
        "benchmark driver (Python + Playwright)": driver,
    }


class PanelClicks:
    """One click of each mode; each returns its stages in ms (the bar's stamps, see STAGES)."""

    def __init__(self, page, lesson: Kernel, bare: Kernel) -> None:
        self.page = page
        self.lesson = lesson
        self.bare = bare
        self.panel = page.locator(".tn-signal-panel").last  # the learner's own panel, left running
        self.text_box = self.panel.locator(".tn-signal-text input")
        self.greet = self.panel.locator(".tn-signal-button.tn-signal-greet")
        self.clicks = TimedClicks(page)
        self.page_shown = True
        self.hide_for_code = True  # clicks by code with the page hidden (the profile leaves it shown)
        self.names: dict[str, str] = {}  # the name each click greeted → its mode
        self.count = 0

    async def show_page(self, shown: bool) -> None:
        if shown != self.page_shown:
            await self.page.evaluate(_SHELL_SHOWN_JS, shown)
            if shown:
                await self.panel.scroll_into_view_if_needed()
            await self.page.wait_for_timeout(SETTLE_AFTER_TOGGLE_MS)
            self.page_shown = shown

    async def prepare(self, mode: str) -> None:
        """Show or hide the page for ``mode`` (outside the click's time and CPU window)."""
        if mode in PAGE_MODES:
            await self.show_page(mode != HIDDEN)
        elif self.hide_for_code:
            await self.show_page(False)

    async def click(self, mode: str) -> dict:
        await self.prepare(mode)
        self.count += 1
        name = f"{mode.title().replace('-', '')}{self.count}"
        self.names[name] = mode
        if mode in PAGE_MODES:
            result = await self._page_click(name, by_person=mode == SHOWN)
        else:
            kernel, panel = (self.lesson, "my_panel") if mode == LESSON_CODE else (self.bare, "bench_panel")
            result = await kernel.click(panel, name)
        return {**result, "name": name, "server": float("nan")}

    async def _page_click(self, name: str, by_person: bool) -> dict:
        done = GREETING_DONE_JS.format(name=name)
        times: list[float] = []
        stages: list[dict] = []
        if by_person:
            await self.text_box.fill(name)
            await self.clicks.click(self.greet, STATE_VIEW, done, times, stages)
        else:  # no layout: set the text and click from the page's script, watch the DOM without frames
            await self.text_box.evaluate(_SET_TEXT_JS, name)
            await self.page.evaluate(_ARM_TIMING_JS, {"watched": STATE_VIEW, "doneSource": done})
            await self.greet.evaluate("(button) => button.click()")
            # Polled every 20 ms: the time comes from the DOM observer, the polling only notices it.
            await self.page.wait_for_function("() => window.__tnTiming.visibleAt !== null", polling=20)
            times.append(await self.page.evaluate(_CLICK_TO_VISIBLE_JS))
            await self.clicks.collect(stages)
        if not stages:
            raise RuntimeError(f"the kernel never answered the click for {name}")
        timing = stages[0]
        return {
            "visible": times[0],
            "dispatch": timing["started_at"] - timing["received_at"],
            "work": timing["finished_at"] - timing["started_at"],
            "cpu": timing.get("cpu_ms", float("nan")),
            "to_kernel": timing["received_at"] - timing["sent_at"],
            "to_page": timing["visible_at"] - timing["finished_at"],
            "stamps": timing,
        }


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


DIFFERENCES = [  # (what, mode a, mode b, key, note): the median of a − b, round by round
    ("the work, lesson kernel (page shown) − bare kernel", SHOWN, BARE, "work", ""),
    ("the work, lesson kernel by code − bare kernel", LESSON_CODE, BARE, "work", "the lesson kernel's own"),
    ("the work, page shown − page hidden (script's clicks)", SCRIPTED, HIDDEN, "work", "layout and paint"),
    (
        "the work, a person's click − script's click",
        SHOWN,
        SCRIPTED,
        "work",
        "Playwright's click, raf polling",
    ),
    ("kernel CPU, lesson kernel by code − bare kernel", LESSON_CODE, BARE, "cpu", ""),
    ("server's own time, lesson kernel by code − bare kernel", LESSON_CODE, BARE, "server", ""),
    ("server's own time, page shown − page hidden", SCRIPTED, HIDDEN, "server", ""),
    ("click→shown, page shown − page hidden (script's clicks)", SCRIPTED, HIDDEN, "visible", ""),
    ("click→shown, a person's click − script's click", SHOWN, SCRIPTED, "visible", ""),
    (
        "click→shown, page hidden − lesson kernel by code",
        HIDDEN,
        LESSON_CODE,
        "visible",
        "the page's messages",
    ),
    ("click→shown, page shown − bare kernel", SHOWN, BARE, "visible", ""),
]


def split_report(rounds: list[dict[str, dict]], cpu: CpuMeter, load: tuple[float, float]) -> list[str]:
    modes = MODES

    def median_of(mode: str, key: str) -> float:
        return _median([r[mode][key] for r in rounds])

    lines = [
        f"the same click five ways, interleaved: {len(rounds)} rounds, one click of each per round "
        f"(load average {load[0]:.2f} before, {load[1]:.2f} after, {os.cpu_count()} CPUs)",
        f"  {'':<48} {'click→shown p50':>15} {'p95':>6} {'the work p50':>13} {'kernel CPU p50':>15}"
        f" {'server p50':>11}",
    ]
    for mode in modes:
        shown = [r[mode]["visible"] for r in rounds]
        lines.append(
            f"  {MODE_LABELS[mode]:<48} {_median(shown):12.0f} ms {percentile(shown, 0.95):4.0f} ms "
            f"{median_of(mode, 'work'):10.1f} ms {median_of(mode, 'cpu'):12.1f} ms"
            f"{median_of(mode, 'server'):9.1f} ms"
        )
    lines += [
        "  (click→shown: on the page's clock for page clicks, the kernel's for clicks by code;",
        "   the work: handler → values set, in the kernel; kernel CPU: the kernel process's CPU time",
        "   from the click's message to the values set, all threads; server: signal recorded → the",
        "   workflow task after the greeting's activity completed, from the history's timestamps: the",
        "   server and the kernel's own worker, as signal_latency.py reports it)",
        "  differences, round by round (median of the paired differences):",
    ]
    for what, a, b, key, note in DIFFERENCES:
        difference = _median([r[a][key] - r[b][key] for r in rounds])
        lines.append(f"    {what:<52} {difference:7.1f} ms" + (f"   ← {note}" if note else ""))
    # The lesson's greeter gets four clicks a round, the bare one one: a gap that grows with the rounds
    # comes from the lesson greeter's longer list of greetings (state, history events), not its kernel.
    half = len(rounds) // 2
    early, late = (
        _median([r[LESSON_CODE]["work"] - r[BARE]["work"] for r in part])
        for part in (rounds[:half], rounds[half:])
    )
    lines.append(
        f"    (the lesson kernel's own: {early:.1f} ms in the first half of the rounds, {late:.1f} ms in the "
        "second)"
    )
    groups = list(cpu.groups)
    lines.append("  CPU time per click by process, ms (from the OS; each mode's total ÷ its clicks):")
    lines.append("    " + f"{'':<44}" + "".join(f"{g.split(' (')[0][:14]:>15}" for g in groups))
    for mode in modes:
        per_click = [cpu.spent[mode][g] / len(rounds) for g in groups]
        lines.append("    " + f"{MODE_LABELS[mode]:<44}" + "".join(f"{v:15.1f}" for v in per_click))
    for mode in PAGE_MODES:
        lines.append(
            f"  page {mode}: page → kernel {median_of(mode, 'to_kernel'):.1f} ms, "
            f"kernel → page (message and render) {median_of(mode, 'to_page'):.1f} ms (medians)"
        )
    return lines


def probe_report(probes: dict[str, dict], clicks_of: dict[str, int]) -> list[str]:
    lines = [
        "  RPCs each kernel's client sent per click (all its clicks, every mode; not its worker's polls):"
    ]
    for name, probe in probes.items():
        rpcs = ", ".join(
            f"{rpc} {count / clicks_of[name]:.2f}" for rpc, count in sorted(probe["rpcs"].items())
        )
        lines.append(f"    {name}: {rpcs}")
    lines.append("  asyncio tasks alive after the clicks:")
    for name, probe in probes.items():
        tasks = ", ".join(f"{task} ×{count}" for task, count in sorted(probe["tasks"].items()))
        lines.append(f"    {name}: {tasks}")
    return lines


# --- py-spy: where each kernel's time goes during the clicks ------------------------------------------

PROFILE_RATE = 250  # samples per second per thread
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
# Frames every stack runs through (the loop, the thread): never "where the time goes".
_PLUMBING = re.compile(
    r"(^|/)(asyncio|threading|selectors|concurrent|runpy|contextvars)[/.]|ipykernel_launcher|"
    r"traitlets/config/application|tornado/platform|kernelapp\.py|<frozen"
)


def py_spy() -> str | None:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def start_profile(pid: int, output: Path) -> subprocess.Popen:
    """Sample ``pid`` until stopped, without pausing it (``--nonblocking``): collapsed stacks, per thread."""
    command = [py_spy(), "record", "--pid", str(pid), "--rate", str(PROFILE_RATE), "--nonblocking"]
    command += ["--threads", "--format", "raw", "--output", str(output)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_profile(process: subprocess.Popen) -> str:
    """Stop a recording (it writes its file on SIGINT); its complaint, if it had one."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err.decode(errors="replace").strip() if process.returncode else ""


def _short(file: str) -> str:
    for marker in ("site-packages/", "/lib/python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def _area(file: str) -> str:
    """``temporalio/worker/_workflow.py`` → ``temporalio/worker``; ``json/decoder.py`` → ``json``."""
    parts = file.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0].removesuffix(".py")


def read_profile(path: Path) -> tuple[int, Counter, Counter, Counter]:
    """Samples in all; by thread; by the area of the innermost frame that is not the loop's or the
    thread's own; and by each function on the stack (inclusive: once per stack, plumbing left out)."""
    total, threads, areas, functions = 0, Counter(), Counter(), Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        seen = set()
        thread, innermost = "?", "the loop or the thread itself"
        for frame in stack.split(";"):
            match = _FRAME.match(frame)
            if frame.startswith(("thread ", "process ")) or not match:
                if frame.startswith("thread "):
                    thread = frame
                continue
            file = _short(match["file"])
            if _PLUMBING.search(file) or match["function"] == "<module>":
                continue
            seen.add(f"{match['function']} ({file})")
            innermost = _area(file)
        threads[thread] += count
        areas[innermost] += count
        for name in seen:
            functions[name] += count
    return total, threads, areas, functions


def profile_report(profiles: dict[str, Path], clicks: int) -> list[str]:
    per_click = 1000 / PROFILE_RATE / clicks  # ms of thread time per click, per sample
    lines = [
        f"py-spy during {clicks} clicks of each kernel (page shown; {PROFILE_RATE} samples/s per busy "
        "thread, idle threads not counted; ms of busy thread time per click):"
    ]
    for name, path in profiles.items():
        total, threads, areas, functions = read_profile(path)
        lines.append(f"  {name}: {total * per_click:.1f} ms per click in all ({path})")
        for thread, count in threads.most_common(5):
            lines.append(f"    thread {thread.removeprefix('thread ')[:60]:<60} {count * per_click:6.1f} ms")
        lines.append("    by the code at the top of the stack (its package), the top 10:")
        for area, count in areas.most_common(10):
            lines.append(f"      {count * per_click:6.1f} ms  {area}")
        lines.append("    functions on the stack (inclusive), the top 18:")
        for function, count in functions.most_common(18):
            lines.append(f"      {count * per_click:6.1f} ms  {function[:110]}")
    return lines


async def bench_signal_panel(page, lab, clicks: int, profile: bool = True) -> list[str]:
    await open_notebook(page, lab, "06_signals.ipynb")
    run_all_s = await run_all_cells(page)
    problems = await notebook_errors(page)
    if problems:
        raise RuntimeError(f"notebook 06 raised: {problems}")
    panel = page.locator(".tn-signal-panel").last  # the learner's own panel, left running by Run All
    await panel.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    (session,) = [s for s in lab.api("/api/sessions") if s["path"].endswith("06_signals.ipynb")]
    lesson = await attach_kernel(lab, "lesson kernel", session["kernel"]["id"])
    bare = await attach_kernel(lab, "bare kernel", start_bare_kernel(lab))
    try:
        await bare.run(BARE_SETUP)
        for kernel in (lesson, bare):
            await kernel.run(CLICK_BY_CODE)
            await kernel.run(KERNEL_PROBE)
        clicker = PanelClicks(page, lesson, bare)
        modes = MODES
        for mode in modes:  # warm-up, not counted: the bare kernel's first activity, first sandbox import
            await clicker.click(mode)
        cpu = CpuMeter(process_groups(lab, lesson, bare))
        load_before = os.getloadavg()[0]
        rounds: list[dict[str, dict]] = []
        for number in range(clicks):
            turn = number % (len(modes) - 1)
            others = modes[1 + turn :] + modes[1 : 1 + turn]  # none of them always right after the shown
            results = {}
            for mode in [SHOWN, *others]:
                await clicker.prepare(mode)
                before = cpu.read()
                results[mode] = await clicker.click(mode)
                cpu.add(mode, before)
            rounds.append(results)
        probes = {lesson.name: await lesson.probe("my_greeter"), bare.name: await bare.probe("_greeter")}
        by_name = {r[mode]["name"]: r[mode] for r in rounds for mode in modes}
        for probe in probes.values():  # the server's own time of each measured click
            for name, server_ms in probe["server"].items():
                if name in by_name:
                    by_name[name]["server"] = server_ms
        clicks_of = {lesson.name: 4 * (clicks + 1), bare.name: clicks + 1}  # warm-up included
        lines = [
            f"notebook 06: Run All in JupyterLab {run_all_s:.1f} s",
            summary("signal panel, click → new greeting shown", [r[SHOWN]["visible"] for r in rounds]),
            *breakdown("signal panel, page shown", [r[SHOWN]["stamps"] for r in rounds]),
            *split_report(rounds, cpu, (load_before, os.getloadavg()[0])),
            *probe_report(probes, clicks_of),
        ]
        if profile and py_spy() is None:
            lines.append("py-spy is not installed (pip install py-spy): no profile")
        elif profile:
            lines += await profile_clicks(clicker, lesson, bare, min(clicks, 30))
        return lines
    finally:
        for kernel in (lesson, bare):
            kernel.client.stop_channels()


async def profile_clicks(clicker: PanelClicks, lesson: Kernel, bare: Kernel, clicks: int) -> list[str]:
    """Record both kernels with py-spy while each gets ``clicks`` clicks (page shown; bare by code)."""
    folder = Path(tempfile.mkdtemp(prefix="tn-click-profile-"))
    profiles = {lesson.name: folder / "lesson-kernel.txt", bare.name: folder / "bare-kernel.txt"}
    clicker.hide_for_code = False
    recorders = [start_profile(kernel.pid, profiles[kernel.name]) for kernel in (lesson, bare)]
    await asyncio.sleep(1.0)  # py-spy attaches
    load = os.getloadavg()[0]
    try:
        for _ in range(clicks):
            for mode in (SHOWN, BARE):
                await clicker.click(mode)
    finally:
        problems = [stop_profile(recorder) for recorder in recorders]
    if any(problems) or not all(path.exists() for path in profiles.values()):
        return [f"py-spy failed: {' | '.join(p for p in problems if p)[:500]}"]
    return [f"(load average {load:.2f} when the profile began)", *profile_report(profiles, clicks)]


async def run(clicks: int, notebooks: list[str], profile: bool = True) -> list[str]:
    lines: list[str] = []
    with running_jupyterlab() as lab:
        async with chromium_browser() as browser:
            for notebook in notebooks:
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                page = await context.new_page()
                try:
                    if notebook == "08":
                        lines += await bench_update_form(page, lab, clicks)
                    else:
                        lines += await bench_signal_panel(page, lab, clicks, profile)
                finally:
                    await context.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--notebooks", nargs="+", choices=["08", "06"], default=["08", "06"])
    parser.add_argument(
        "--no-profile", action="store_true", help="06: skip the py-spy phase (on by default when installed)"
    )
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
        lines = asyncio.run(run(args.clicks, args.notebooks, not args.no_profile))
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
