"""Click → visible: how long after a signal button is clicked the panel shows the workflow's new state.

Runs inside a real Jupyter kernel (as a learner's notebook does): starts a worker and a greeter
workflow, builds lesson 06's signal panel, then clicks its "Greet" button with ``panel.click("Greet", name)``
(exactly what a browser click ends in) and times click → the state view's value holding the new
greeting. It does this for each way the panel can learn about the new state, interleaved so that
machine load hits all of them alike, and prints median / p95 of ``--clicks`` clicks each, next to
the server's own time for the same work (signal → activity → workflow task completed, from the
event timestamps), which no panel can beat.

    .venv/bin/python benchmarks/signal_latency.py [--clicks 50] [--in-process]

Uses its own dev server (state dir under /tmp) unless TEMPORAL_NOTEBOOKS_HOME is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

STRATEGIES = ("poll", "watch", "update")
DESCRIPTIONS = {
    "poll": "naive: after the signal, back-to-back queries until the state settles",
    "watch": "history long-poll, one query per completed workflow task",
    "update": "the settled_state read-back update after the signal (+ watch) — the panel's default",
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms   "
        f"min {min(values):6.1f} ms"
    )


async def server_times(handle, since_event: int) -> tuple[list[float], int]:
    """Per click, from the history: WorkflowExecutionSignaled → the WorkflowTaskCompleted that
    follows the greeting's ActivityTaskCompleted (the moment the new state exists)."""
    from temporalio.api.enums.v1 import EventType

    events = [e async for e in handle.fetch_history_events() if e.event_id > since_event]
    times, signalled, activity_done = [], None, False
    for event in events:
        at = event.event_time.ToNanoseconds() / 1e6
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signalled, activity_done = at, False
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            activity_done = True
        elif (
            event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
            and activity_done
            and signalled is not None
        ):
            times.append(at - signalled)
            signalled, activity_done = None, False
    return times, (events[-1].event_id if events else since_event)


async def measure(clicks: int = 50, quiet: bool = False) -> dict[str, dict[str, list[float]]]:
    """Click ``clicks`` times per strategy; returns {strategy: {"click": [...], "server": [...]}}."""
    from temporalio.common import WorkflowIDConflictPolicy

    from temporal_notebooks.activities.signals import GreeterInput, format_greeting
    from temporal_notebooks.runtime import connect, scoped, start_worker, stop_worker
    from temporal_notebooks.widgets.panels import SignalButton, SignalPanel
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    client = await connect(quiet=True)
    task_queue = scoped(f"bench-signals-{uuid.uuid4().hex[:6]}")
    await start_worker(
        client, task_queue, workflows=[GreeterWorkflow], activities=[format_greeting], show_status=False
    )
    results: dict[str, dict[str, list[float]]] = {}
    panels, handles, counts, last_events = {}, {}, {}, {}
    try:
        for strategy in STRATEGIES:
            handle = await client.start_workflow(
                GreeterWorkflow.run,
                GreeterInput(),
                id=scoped(f"bench-greeter-{strategy}"),
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
            )
            panel = SignalPanel(
                handle,
                GreeterWorkflow.state,
                [SignalButton("Greet", GreeterWorkflow.submit_greeting, takes_text=True)],
                refresh=strategy,
                read_back=GreeterWorkflow.settled_state,
            ).start()
            await panel.wait_for(lambda state: state is not None)
            panels[strategy], handles[strategy], counts[strategy], last_events[strategy] = panel, handle, 0, 0
            results[strategy] = {"click": [], "server": [], "queries": [], "updates": []}
        for strategy in STRATEGIES:  # warm-up: first activity, first sandbox import, first query
            await _click(panels[strategy], counts, strategy)
            _, last_events[strategy] = await server_times(handles[strategy], 0)
        for strategy in STRATEGIES:
            await panels[strategy].settle()
            await asyncio.sleep(0.3)
            results[strategy]["queries"].append(panels[strategy].queries_sent)
            results[strategy]["updates"].append(panels[strategy].read_backs_sent)
        for i in range(clicks):
            order = STRATEGIES[i % 3 :] + STRATEGIES[: i % 3]  # rotate, so none always goes first
            for strategy in order:
                results[strategy]["click"].append(await _click(panels[strategy], counts, strategy))
                await panels[strategy].settle()  # no strategy's leftover queries overlap the next click
                await asyncio.sleep(0.03)  # a person does not click 30 times a second
        await asyncio.sleep(0.3)
        for strategy in STRATEGIES:
            times, _ = await server_times(handles[strategy], last_events[strategy])
            results[strategy]["server"] = times
            results[strategy]["queries"].append(panels[strategy].queries_sent)
            results[strategy]["updates"].append(panels[strategy].read_backs_sent)
    finally:
        for strategy, panel in panels.items():
            panel.stop()
            await handles[strategy].terminate("benchmark done")
        await stop_worker(task_queue)
    if not quiet:
        report(results, clicks)
    return results


async def _click(panel, counts: dict[str, int], strategy: str) -> float:
    counts[strategy] += 1
    name = f"n{counts[strategy]}"
    expected = f"Hello, {name}!"
    clicked = time.perf_counter()
    panel.click("Greet", name)
    state = await panel.wait_for(lambda s: expected in s.greetings, timeout_s=20)
    if expected not in state.greetings or expected not in panel.state_view.value:
        raise RuntimeError(f"{strategy}: {expected!r} never appeared in the panel ({panel.status.value})")
    return (panel.state_shown_at - clicked) * 1000


def report(results: dict[str, dict[str, list[float]]], clicks: int) -> None:
    print(f"click → new state visible in the panel's state view, {clicks} clicks each (in the kernel):")
    for strategy in STRATEGIES:
        print(f"  {strategy:6} {summary(results[strategy]['click'])}   {DESCRIPTIONS[strategy]}")
    print("the server's own signal → activity → workflow task completed, same clicks:")
    for strategy in STRATEGIES:
        print(f"  {strategy:6} {summary(results[strategy]['server'])}")
    print("what the panel adds on top (click → visible minus the server's time, click by click):")
    for strategy in STRATEGIES:
        pairs = zip(results[strategy]["click"], results[strategy]["server"], strict=False)
        print(f"  {strategy:6} {summary([c - s for c, s in pairs])}")
    print("what each click cost the server besides its signal:")
    for strategy in STRATEGIES:
        queries = (results[strategy]["queries"][-1] - results[strategy]["queries"][0]) / clicks
        updates = (results[strategy]["updates"][-1] - results[strategy]["updates"][0]) / clicks
        print(f"  {strategy:6} {queries:5.1f} queries, {updates:3.1f} updates per click")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average during the run: {load:.2f} on {os.cpu_count()} CPUs")


KERNEL_CODE = """
import runpy
_bench = runpy.run_path({path!r}, run_name="signal_latency_in_kernel")
_ = await _bench["measure"]({clicks})
"""


async def run_in_kernel(clicks: int) -> None:
    """Run :func:`measure` in a fresh ipykernel, streaming its printed report."""
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(kernel_name="python3")
    await manager.start_kernel(cwd=str(Path(__file__).resolve().parent.parent))
    kc = manager.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        msg_id = kc.execute(KERNEL_CODE.format(path=str(Path(__file__).resolve()), clicks=clicks))
        while True:
            msg = await kc.get_iopub_msg(timeout=600)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                print(content["text"], end="", flush=True)
            elif kind == "error":
                print(f"{content['ename']}: {content['evalue']}", file=sys.stderr)
                raise SystemExit(1)
            elif kind == "status" and content["execution_state"] == "idle":
                return
    finally:
        kc.stop_channels()
        await manager.shutdown_kernel(now=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--in-process", action="store_true", help="measure here, not in a Jupyter kernel")
    args = parser.parse_args()
    own_server = "TEMPORAL_NOTEBOOKS_HOME" not in os.environ
    if own_server:  # never the learner's own server
        os.environ["TEMPORAL_NOTEBOOKS_HOME"] = os.path.join(tempfile.gettempdir(), "tn-bench-home")
    os.environ.setdefault("TEMPORAL_NOTEBOOKS_LEARNER", "bench")
    try:
        if args.in_process:
            asyncio.run(measure(args.clicks))
        else:
            asyncio.run(run_in_kernel(args.clicks))
    finally:
        if own_server:
            from temporal_notebooks.runtime import devserver

            devserver.stop()


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(main)
