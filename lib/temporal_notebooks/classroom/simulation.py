"""A simulated class: learner processes running the signals lesson's flow against one shared server.

Each learner is a separate OS process with its own learner id (``TEMPORAL_NOTEBOOKS_LEARNER``) and
its own worker, doing what a learner's kernel does in lesson 06 through the package's runtime:
``connect()``, ``start_worker()`` on ``scoped(...)`` names, start the greeter, send signals (the
"clicks"), query until each click's greeting is visible, one update, then ``exit`` and the result.

``python -m temporal_notebooks.classroom.simulation`` is one learner. It prints ``READY`` once its worker
runs, waits for a line on stdin (the class starts together), and prints one JSON line with what it
saw. :func:`run_class` starts N of them, measures memory and CPU from ``/proc``, and always
reaps every process it started. Used by ``tests/classroom`` and ``benchmarks/classroom_load.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .catalog import lesson_by_number

SIGNALS_LESSON = lesson_by_number("06")
assert SIGNALS_LESSON is not None and SIGNALS_LESSON.module == "signals"
TASK_QUEUE = SIGNALS_LESSON.task_queues[0]  # the names lesson 06 passes to scoped(): the same for everyone
GREETER_ID = "greeter"
READY = "READY"
FLOW_TIMEOUT_S = 180.0  # a learner's flow, from the go line
GO_TIMEOUT_S = 600.0
EXIT_TIMEOUT_S = 15.0  # report printed → process gone


# --- one learner ----------------------------------------------------------------------------------


@dataclasses.dataclass
class LearnerReport:
    """What one learner process saw; printed as one JSON line."""

    learner: str
    workflow_id: str = ""
    run_id: str = ""
    task_queue: str = ""
    latencies_ms: list[float] = dataclasses.field(default_factory=list)
    queries: int = 0
    update_result: str = ""
    result: list[str] = dataclasses.field(default_factory=list)
    expected: list[str] = dataclasses.field(default_factory=list)
    foreign: list[str] = dataclasses.field(default_factory=list)  # other learners' data seen
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.foreign and self.result == self.expected

    def to_json(self) -> str:
        return json.dumps({**dataclasses.asdict(self), "ok": self.ok})


async def _wait_visible(
    handle: Any, greeting: str, report: LearnerReport, poll_s: float, timeout_s: float
) -> float | None:
    """Query until the greeting shows in the state, as a panel refreshing after a click would."""
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        # Pause first: a query that arrives while the signal's workflow task is still in flight
        # waits for it on the server (~100 ms seen), so querying at once is slower, not faster.
        await asyncio.sleep(poll_s)
        state = await handle.query(GreeterWorkflow.state)
        report.queries += 1
        if greeting in state.greetings:
            return time.perf_counter()
    return None


async def learner_flow(
    signals: int, *, poll_ms: float, think_ms: float, wait_for_go: bool, wait: str = "query"
) -> LearnerReport:
    """The lesson's flow for this process's learner; never raises (problems go to ``errors``).

    Getting ready (connect, worker) may take long while a whole class starts on two cores; the
    flow itself, from the go line, is bounded by ``FLOW_TIMEOUT_S``.
    """
    from temporal_notebooks.activities.signals import format_greeting
    from temporal_notebooks.runtime import connect, learner_id, scoped, start_worker, stop_all_workers
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    report = LearnerReport(learner=learner_id())
    try:
        client = await connect(quiet=True)
        report.task_queue = scoped(TASK_QUEUE)
        await start_worker(
            client,
            report.task_queue,
            workflows=[GreeterWorkflow],
            activities=[format_greeting],
            show_status=False,
        )
        if wait_for_go:
            print(READY, flush=True)
            line = await asyncio.wait_for(asyncio.to_thread(sys.stdin.readline), GO_TIMEOUT_S)
            if not line:
                raise RuntimeError("the class was called off (stdin closed before the start)")
        flow = _lesson_flow(client, report, signals, poll_ms=poll_ms, think_ms=think_ms, wait=wait)
        await asyncio.wait_for(flow, FLOW_TIMEOUT_S)
    except TimeoutError:
        report.errors.append(f"the flow took over {FLOW_TIMEOUT_S:.0f} s")
    except Exception as exc:  # reported, never raised: the parent reads the JSON line
        report.errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(stop_all_workers(), 10)
    return report


async def _lesson_flow(
    client: Any, report: LearnerReport, signals: int, *, poll_ms: float, think_ms: float, wait: str
) -> None:
    """Start the greeter, click ``signals`` times (each result awaited), one update, then exit."""
    from temporalio.common import WorkflowIDConflictPolicy

    from temporal_notebooks.activities.signals import GreeterInput
    from temporal_notebooks.runtime import scoped
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    me = report.learner
    salutation = f"Hi from {me}"
    names = [f"{me}-click-{i:02d}" for i in range(signals)]
    update_name = f"{me}-update"
    report.expected = [f"{salutation}, {name}!" for name in [*names, update_name]]
    handle = await client.start_workflow(
        GreeterWorkflow.run,
        GreeterInput(salutation=salutation),
        id=scoped(GREETER_ID),
        task_queue=report.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
    )
    report.workflow_id, report.run_id = handle.id, handle.result_run_id or ""
    for name in names:
        if think_ms:
            await asyncio.sleep(think_ms / 1000 * random.uniform(0.5, 1.5))
        greeting = f"{salutation}, {name}!"
        sent = time.perf_counter()
        await handle.signal(GreeterWorkflow.submit_greeting, name)
        if wait == "update":  # the lesson's read-your-own-signal update: one call, no polling
            state = await handle.execute_update(GreeterWorkflow.settled_state)
            seen = time.perf_counter() if greeting in state.greetings else None
        else:
            seen = await _wait_visible(handle, greeting, report, poll_ms / 1000, 10.0)
        if seen is None:
            report.errors.append(f"{name}: greeting not visible within 10 s")
        else:
            report.latencies_ms.append((seen - sent) * 1000)
    report.update_result = await handle.execute_update(GreeterWorkflow.greet, update_name)
    if report.update_result != report.expected[-1]:
        report.errors.append(f"update returned {report.update_result!r}")
    state = await handle.query(GreeterWorkflow.state)
    report.queries += 1
    await handle.signal(GreeterWorkflow.exit)
    report.result = list(await handle.result())
    seen_texts = [*report.result, *state.greetings, report.update_result]
    report.foreign = sorted({t for t in seen_texts if me not in t})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One simulated learner of lesson 06 (signals).")
    parser.add_argument("--signals", type=int, default=20)
    parser.add_argument("--poll-ms", type=float, default=20.0, help="pause before each state query")
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between clicks")
    parser.add_argument("--no-wait", action="store_true", help="start at once (no READY / go line)")
    parser.add_argument(
        "--wait",
        choices=["query", "update"],
        default="query",
        help="how a click's result is awaited: polling the state query, or the settled_state update",
    )
    args = parser.parse_args(argv)

    async def run() -> LearnerReport:
        report = await learner_flow(
            args.signals,
            poll_ms=args.poll_ms,
            think_ms=args.think_ms,
            wait_for_go=not args.no_wait,
            wait=args.wait,
        )
        print(report.to_json(), flush=True)  # before the loop's teardown, whatever that does
        return report

    return 0 if asyncio.run(run()).ok else 1


# --- a class of them ------------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def rss_bytes(pid: int) -> int:
    """Resident memory of one process from /proc (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclasses.dataclass
class ClassRun:
    """The outcome of one simulated class."""

    reports: list[LearnerReport]
    bad_exits: list[str]
    ready_s: float  # spawn → every worker running
    flow_s: float  # go → every learner done
    peak_rss_server: int
    peak_rss_learners: int
    peak_rss_total: int
    server_cpu_s: float
    learners_cpu_s: float
    pids: list[int] = dataclasses.field(default_factory=list)

    @property
    def latencies_ms(self) -> list[float]:
        return sorted(x for r in self.reports for x in r.latencies_ms)

    @property
    def errors(self) -> list[str]:
        problems = [f"{r.learner}: {e}" for r in self.reports for e in r.errors]
        problems += [f"{r.learner}: saw other learners' data {r.foreign}" for r in self.reports if r.foreign]
        problems += [f"{r.learner}: result differs" for r in self.reports if r.result != r.expected]
        return problems + self.bad_exits


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run_class(
    learners: Sequence[str],
    address: str,
    *,
    signals: int = 20,
    poll_ms: float = 20.0,
    think_ms: float = 0.0,
    wait: str = "query",
    server_pid: int | None = None,
    ready_timeout_s: float = 300.0,
    flow_timeout_s: float = FLOW_TIMEOUT_S + EXIT_TIMEOUT_S + 30,
    sample_every_s: float = 0.25,
) -> ClassRun:
    """Start one process per learner id against ``address``, start them together, collect reports.

    Every process started here is ended here, whatever happens (no orphans).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTERHUB_USER", "TEMPORAL_PROFILE")}
    env["TEMPORAL_ADDRESS"] = address
    command = [
        sys.executable, "-m", "temporal_notebooks.classroom.simulation",
        "--signals", str(signals), "--poll-ms", str(poll_ms), "--think-ms", str(think_ms), "--wait", wait,
    ]  # fmt: skip
    processes: dict[str, asyncio.subprocess.Process] = {}
    peaks = {"server": 0, "learners": 0, "total": 0}
    sampling = True

    async def sample() -> None:
        while sampling:
            server = rss_bytes(server_pid) if server_pid else 0
            learners_rss = sum(rss_bytes(p.pid) for p in processes.values() if p.returncode is None)
            peaks["server"] = max(peaks["server"], server)
            peaks["learners"] = max(peaks["learners"], learners_rss)
            peaks["total"] = max(peaks["total"], server + learners_rss)
            await asyncio.sleep(sample_every_s)

    sampler = asyncio.ensure_future(sample())
    started = time.monotonic()
    reports: list[LearnerReport] = []
    bad_exits: list[str] = []
    learner_cpu: dict[str, float] = {}
    try:
        for learner in learners:
            processes[learner] = await asyncio.create_subprocess_exec(
                *command,
                env={**env, "TEMPORAL_NOTEBOOKS_LEARNER": learner},
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )

        async def ready(learner: str, process: asyncio.subprocess.Process) -> None:
            assert process.stdout is not None
            line = await process.stdout.readline()
            if line.decode().strip() != READY:
                raise RuntimeError(f"learner {learner} did not get ready: {line.decode()[:200]!r}")

        await asyncio.wait_for(
            asyncio.gather(*(ready(name, p) for name, p in processes.items())), ready_timeout_s
        )
        ready_s = time.monotonic() - started
        server_cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
        go = time.monotonic()
        for process in processes.values():
            assert process.stdin is not None
            process.stdin.write(b"go\n")
        await asyncio.gather(*(p.stdin.drain() for p in processes.values() if p.stdin))

        async def finish(learner: str, process: asyncio.subprocess.Process) -> None:
            assert process.stdout is not None
            data = None
            while data is None:
                line = await process.stdout.readline()
                if not line:
                    break
                if line.startswith(b"{"):
                    data = json.loads(line)
            learner_cpu[learner] = cpu_seconds(process.pid)  # before reaping: /proc still has it
            try:
                code = await asyncio.wait_for(process.wait(), EXIT_TIMEOUT_S)
            except TimeoutError:
                bad_exits.append(f"{learner}: still running {EXIT_TIMEOUT_S:.0f} s after its report")
                return  # reaped below
            if data is None:
                bad_exits.append(f"{learner}: exit {code} without a report")
                return
            data.pop("ok", None)
            reports.append(LearnerReport(**data))
            if code not in (0, 1):
                bad_exits.append(f"{learner}: exit {code}")

        await asyncio.wait_for(
            asyncio.gather(*(finish(name, p) for name, p in processes.items())), flow_timeout_s
        )
        flow_s = time.monotonic() - go
        server_cpu = (cpu_seconds(server_pid) - server_cpu_before) if server_pid else 0.0
    finally:
        sampling = False
        sampler.cancel()
        await _reap(list(processes.values()))
    return ClassRun(
        reports=sorted(reports, key=lambda r: r.learner),
        bad_exits=bad_exits,
        ready_s=ready_s,
        flow_s=flow_s,
        peak_rss_server=peaks["server"],
        peak_rss_learners=peaks["learners"],
        peak_rss_total=peaks["total"],
        server_cpu_s=server_cpu,
        learners_cpu_s=sum(learner_cpu.values()),
        pids=[p.pid for p in processes.values()],
    )


async def _reap(processes: list[asyncio.subprocess.Process]) -> None:
    """End the learner processes this module started: close stdin, then TERM, then KILL."""
    for process in processes:
        if process.returncode is None and process.stdin is not None:
            with contextlib.suppress(Exception):
                process.stdin.close()
    for sig, grace in ((None, 5.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        alive = [p for p in processes if p.returncode is None]
        if not alive:
            return
        for process in alive:
            if sig is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in alive)), grace)


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(main)
