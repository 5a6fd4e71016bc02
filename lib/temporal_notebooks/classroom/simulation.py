"""A simulated class: learners running the signals lesson's flow against one shared server.

Each learner has its own learner id, client and worker, doing what a learner's kernel does in
lesson 06 through the package's runtime: connect, ``start_worker()`` on the learner's scoped names,
start the greeter, send signals (the "clicks"), wait until each click's greeting is visible, one
update, then ``exit`` and the result.

``python -m temporal_notebooks.classroom.simulation`` is one learner in its own process (its id from
``TEMPORAL_NOTEBOOKS_LEARNER``), as a kernel is. With ``--learners a,b,c`` it is a *driver*: one
process running many learners, each with its own client and worker, on one asyncio loop, so a whole
class can be put on a server from a few processes (the server's capacity, apart from the learners'
machine). Either way it prints ``READY`` once its workers run, waits for a line on stdin (the class
starts together), and prints one JSON line per learner. :func:`run_class` starts them, measures
memory and CPU from ``/proc``, and always reaps every process it started. Used by
``tests/classroom`` and ``benchmarks/classroom_load.py``.
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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..runtime.learner import SEPARATOR
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


def scoped_for(learner: str, name: str) -> str:
    """``scoped(name)`` as learner ``learner``'s kernel makes it (a driver runs many learners)."""
    return f"{learner}{SEPARATOR}{name}"


async def learner_flow(
    signals: int,
    *,
    poll_ms: float,
    think_ms: float,
    wait_for_go: bool,
    wait: str = "query",
    max_polls: int = 0,
) -> LearnerReport:
    """The lesson's flow for this process's learner; never raises (problems go to ``errors``).

    Getting ready (connect, worker) may take long while a whole class starts on two cores; the
    flow itself, from the go line, is bounded by ``FLOW_TIMEOUT_S``.
    """
    from temporal_notebooks.runtime import connect, learner_id, stop_all_workers

    report = LearnerReport(learner=learner_id())
    try:
        client = await connect(quiet=True)
        await _start_learner_worker(client, report, max_polls)
        if wait_for_go:
            await _wait_for_go()
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


async def driver_flows(
    learners: Sequence[str],
    signals: int,
    *,
    poll_ms: float,
    think_ms: float,
    wait_for_go: bool,
    wait: str = "query",
    max_polls: int = 0,
) -> list[LearnerReport]:
    """Many learners in this one process: each gets its own client (a kernel's, with its
    interceptors) and its own worker on its own task queue, then all run the flow at once on this
    loop. Never raises; a learner's problems go to its report."""
    from temporal_notebooks.runtime import stop_all_workers
    from temporal_notebooks.runtime.connection import _new_client, server_info

    info = server_info()
    reports = [LearnerReport(learner=learner) for learner in learners]
    clients: dict[str, Any] = {}
    starting = asyncio.Semaphore(8)  # a class's kernels do not all connect in the same millisecond

    async def get_ready(report: LearnerReport) -> None:
        async with starting:
            try:
                clients[report.learner] = client = await _new_client(info)
                await _start_learner_worker(client, report, max_polls)
            except Exception as exc:
                report.errors.append(f"not ready: {type(exc).__name__}: {str(exc)[:300]}")

    async def flow(report: LearnerReport) -> None:
        client = clients.get(report.learner)
        if client is None:
            return
        try:
            lesson = _lesson_flow(client, report, signals, poll_ms=poll_ms, think_ms=think_ms, wait=wait)
            await asyncio.wait_for(lesson, FLOW_TIMEOUT_S)
        except TimeoutError:
            report.errors.append(f"the flow took over {FLOW_TIMEOUT_S:.0f} s")
        except Exception as exc:
            report.errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")

    try:
        await asyncio.gather(*(get_ready(r) for r in reports))
        if wait_for_go:
            await _wait_for_go()
        await asyncio.gather(*(flow(r) for r in reports))
    except Exception as exc:  # the go line never came: every learner says so
        for report in reports:
            report.errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(stop_all_workers(), 30)
    return reports


async def _start_learner_worker(client: Any, report: LearnerReport, max_polls: int) -> None:
    """The lesson's worker, as its notebook starts it, on the learner's own task queue."""
    from temporal_notebooks.activities.signals import format_greeting
    from temporal_notebooks.runtime import start_worker
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    options: dict[str, Any] = {}
    if max_polls:
        from temporalio.worker import PollerBehaviorSimpleMaximum

        options["workflow_task_poller_behavior"] = PollerBehaviorSimpleMaximum(max(2, max_polls))
        options["activity_task_poller_behavior"] = PollerBehaviorSimpleMaximum(max_polls)
    report.task_queue = scoped_for(report.learner, TASK_QUEUE)
    await start_worker(
        client,
        report.task_queue,
        workflows=[GreeterWorkflow],
        activities=[format_greeting],
        show_status=False,
        **options,
    )


async def _wait_for_go() -> None:
    print(READY, flush=True)
    line = await asyncio.wait_for(asyncio.to_thread(sys.stdin.readline), GO_TIMEOUT_S)
    if not line:
        raise RuntimeError("the class was called off (stdin closed before the start)")


async def _lesson_flow(
    client: Any, report: LearnerReport, signals: int, *, poll_ms: float, think_ms: float, wait: str
) -> None:
    """Start the greeter, click ``signals`` times (each result awaited), one update, then exit."""
    from temporalio.common import WorkflowIDConflictPolicy

    from temporal_notebooks.activities.signals import GreeterInput
    from temporal_notebooks.workflows.signals import GreeterWorkflow

    me = report.learner
    salutation = f"Hi from {me}"
    names = [f"{me}-click-{i:02d}" for i in range(signals)]
    update_name = f"{me}-update"
    report.expected = [f"{salutation}, {name}!" for name in [*names, update_name]]
    handle = await client.start_workflow(
        GreeterWorkflow.run,
        GreeterInput(salutation=salutation),
        id=scoped_for(me, GREETER_ID),
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
    parser = argparse.ArgumentParser(description="Simulated learners of lesson 06 (signals).")
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
    parser.add_argument(
        "--learners",
        default="",
        help="comma-separated learner ids: run them all in this process (a driver); default: one "
        "learner, this process's own id",
    )
    parser.add_argument(
        "--max-polls",
        type=int,
        default=0,
        help="polls per kind of task of each worker (0: the collection's default, 2)",
    )
    args = parser.parse_args(argv)
    options = dict(
        poll_ms=args.poll_ms,
        think_ms=args.think_ms,
        wait_for_go=not args.no_wait,
        wait=args.wait,
        max_polls=args.max_polls,
    )

    async def run() -> list[LearnerReport]:
        if args.learners:
            reports = await driver_flows(args.learners.split(","), args.signals, **options)
        else:
            reports = [await learner_flow(args.signals, **options)]
        for report in reports:
            print(report.to_json(), flush=True)  # before the loop's teardown, whatever that does
        return reports

    return 0 if all(r.ok for r in asyncio.run(run())) else 1


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


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """A Python process's CPU so far by kind of thread: its main thread (the asyncio loop: client
    calls, the workers' Python side), the SDK core's Rust threads (gRPC, pollers), and the rest
    (other Python threads: workflow tasks run in the workers' thread pools, in the sandbox; with
    threads that already ended)."""
    split = {"asyncio loop": 0.0, "SDK core": 0.0}
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                text = (task / "stat").read_text()
                name = text[text.index("(") + 1 : text.rindex(")")]
                fields = text.rsplit(")", 1)[1].split()
                seconds = (int(fields[11]) + int(fields[12])) / _TICKS
                if task.name == str(pid):
                    split["asyncio loop"] += seconds
                elif name.startswith("tokio"):
                    split["SDK core"] += seconds
    split["other threads"] = max(0.0, cpu_seconds(pid) - sum(split.values()))
    return split


def runqueue_wait_seconds(pid: int) -> float:
    """How long the threads of ``pid`` have waited for a CPU while ready to run (schedstat): on a
    machine shared with other work, the part of a latency that is nobody's work."""
    total = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


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
    # The learner processes' CPU by kind of thread (see thread_cpu_seconds), over their whole life.
    learners_cpu_by_thread: dict[str, float] = dataclasses.field(default_factory=dict)
    server_cpu_wait_s: float = 0.0  # the server's threads ready to run but waiting for a CPU, in the flow

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
    drivers: int = 0,
    namespace: str | None = None,
    max_polls: int = 0,
    driver_cpus: set[int] | None = None,
    on_go: Callable[[], object] | None = None,
    ready_timeout_s: float = 300.0,
    flow_timeout_s: float = FLOW_TIMEOUT_S + EXIT_TIMEOUT_S + 30,
    sample_every_s: float = 0.25,
) -> ClassRun:
    """Start the learners against ``address``, start them together, collect their reports.

    One process per learner id (as each learner's kernel is), or with ``drivers`` > 0 that many
    driver processes sharing the learners out (the learners' side made light). ``on_go`` is called
    just before the go line (e.g. to read the server's metrics). Every process started here is
    ended here, whatever happens (no orphans).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTERHUB_USER", "TEMPORAL_PROFILE")}
    env["TEMPORAL_ADDRESS"] = address
    if namespace:
        env["TEMPORAL_NAMESPACE"] = namespace
    command = [
        sys.executable, "-m", "temporal_notebooks.classroom.simulation",
        "--signals", str(signals), "--poll-ms", str(poll_ms), "--think-ms", str(think_ms), "--wait", wait,
        "--max-polls", str(max_polls),
    ]  # fmt: skip
    if drivers > 0:
        groups = {f"driver-{k + 1}": list(learners[k::drivers]) for k in range(min(drivers, len(learners)))}
        spawns = {  # a driver's own id is never used for names: each learner's are given
            name: (command + ["--learners", ",".join(group)], {**env, "TEMPORAL_NOTEBOOKS_LEARNER": name})
            for name, group in groups.items()
        }
    else:
        groups = {learner: [learner] for learner in learners}
        spawns = {learner: (command, {**env, "TEMPORAL_NOTEBOOKS_LEARNER": learner}) for learner in learners}
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

    def pin() -> None:  # in the child, before exec: the drivers on their own cores
        if driver_cpus:
            os.sched_setaffinity(0, driver_cpus)

    sampler = asyncio.ensure_future(sample())
    started = time.monotonic()
    reports: list[LearnerReport] = []
    bad_exits: list[str] = []
    process_cpu: dict[str, float] = {}
    thread_cpu: dict[str, float] = {}
    try:
        for name, (argv, child_env) in spawns.items():
            processes[name] = await asyncio.create_subprocess_exec(
                *argv,
                env=child_env,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                preexec_fn=pin if driver_cpus else None,
            )

        async def ready(name: str, process: asyncio.subprocess.Process) -> None:
            assert process.stdout is not None
            lines = []  # a notice printed on the way (a warning of the runtime) is not the answer
            while not lines or lines[-1] != READY:
                line = (await process.stdout.readline()).decode()
                if not line:
                    raise RuntimeError(f"{name} did not get ready: {''.join(lines)[-300:]!r}")
                lines.append(line.strip())

        await asyncio.wait_for(
            asyncio.gather(*(ready(name, p) for name, p in processes.items())), ready_timeout_s
        )
        ready_s = time.monotonic() - started
        if on_go is not None:
            await asyncio.to_thread(on_go)
        server_cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
        server_wait_before = runqueue_wait_seconds(server_pid) if server_pid else 0.0
        go = time.monotonic()
        for process in processes.values():
            assert process.stdin is not None
            process.stdin.write(b"go\n")
        await asyncio.gather(*(p.stdin.drain() for p in processes.values() if p.stdin))

        async def finish(name: str, process: asyncio.subprocess.Process) -> None:
            assert process.stdout is not None
            got: list[dict] = []
            while len(got) < len(groups[name]):
                line = await process.stdout.readline()
                if not line:
                    break
                if line.startswith(b"{"):
                    got.append(json.loads(line))
            process_cpu[name] = cpu_seconds(process.pid)  # before reaping: /proc still has it
            for kind, seconds in thread_cpu_seconds(process.pid).items():
                thread_cpu[kind] = thread_cpu.get(kind, 0.0) + seconds
            try:
                code = await asyncio.wait_for(process.wait(), EXIT_TIMEOUT_S)
            except TimeoutError:
                bad_exits.append(f"{name}: still running {EXIT_TIMEOUT_S:.0f} s after its report")
                return  # reaped below
            for data in got:
                data.pop("ok", None)
                reports.append(LearnerReport(**data))
            if len(got) < len(groups[name]):
                bad_exits.append(f"{name}: exit {code} with {len(got)} of {len(groups[name])} reports")
            elif code not in (0, 1):
                bad_exits.append(f"{name}: exit {code}")

        await asyncio.wait_for(
            asyncio.gather(*(finish(name, p) for name, p in processes.items())), flow_timeout_s
        )
        flow_s = time.monotonic() - go
        server_cpu = (cpu_seconds(server_pid) - server_cpu_before) if server_pid else 0.0
        server_wait = (runqueue_wait_seconds(server_pid) - server_wait_before) if server_pid else 0.0
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
        learners_cpu_s=sum(process_cpu.values()),
        pids=[p.pid for p in processes.values()],
        learners_cpu_by_thread=thread_cpu,
        server_cpu_wait_s=server_wait,
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
