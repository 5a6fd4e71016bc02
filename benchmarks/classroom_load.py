"""A class on one shared server, the signals lesson's flow for every learner at the same time
(start the greeter, clicks each awaited until the greeting is visible, an update, the exit signal
and the result). Two questions, one mode each:

**This machine as a whole** (the default): N learner *processes*, each with its own worker as each
learner's kernel has, plus the server, on this machine; a fresh dev server per run, started the
way the notebooks start it::

    .venv/bin/python benchmarks/classroom_load.py 30 60 90 120 --think-ms 5000 --signals 10 --search

**The class server's capacity** (``--drivers K``): the same learners, each with its own client,
task queue, worker and greeter, run from K driver processes (many learners on one asyncio loop
each), so the learners' side is light. The server is started by ``temporal-notebooks class-server
start`` (its real code path, with the class's settings), a fresh one for each run::

    .venv/bin/python benchmarks/classroom_load.py 30 60 100 150 200 300 --drivers 4 \
        --think-ms 5000 --signals 10 --search

``--search`` stops at the first size where neither way of waiting meets the goal (click→visible
p95 ≤ ``--goal-ms``, 150 ms by default, and no errors) and names the largest size that met it.
``--server-cpus 0 --driver-cpus 1`` pins the server and the drivers to their own cores (server
capacity per core). ``--server-nice -10`` lets the server's threads run first on cores it shares with
the drivers, as on a machine of its own, while the drivers still have what the server leaves.
``--server-arg=--dynamic-config-value --server-arg='KEY=VALUE'`` passes
options to ``class-server start`` (tuning).

Per N and way of waiting it prints the click→visible latency, peak memory (from /proc), the CPU of
the server and of the learners (in cores used during the flow, and per click), and the machine's
load average before and after: other work on the same cores shows in the latencies. In driver
mode it adds where the server's time goes, from its Prometheus metrics: requests per second by
kind, the time spent in persistence (SQLite) by operation, and any "database is locked" in its log;
and the drivers' CPU by thread (asyncio loop, SDK core, workflow threads). Every process started
is reaped, every server stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from temporal_notebooks.classroom import class_server
from temporal_notebooks.classroom.simulation import ClassRun, cpu_seconds, percentile, run_class
from temporal_notebooks.runtime import devserver

MB = 1024 * 1024
NAMESPACE = "workshop"


def _own_settings(home: str) -> None:
    """State under ``home``, and no personal Temporal settings or profile in the way."""
    os.environ[devserver.HOME_ENV] = home
    empty_config = os.path.join(home, "temporal.toml")
    open(empty_config, "w").close()
    os.environ["TEMPORAL_CONFIG_FILE"] = empty_config
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "TEMPORAL_PROFILE"):
        os.environ.pop(name, None)


def _fresh_server(home: str) -> devserver.DevServer:
    _own_settings(home)
    return devserver.ensure_running()


def load_average() -> str:
    """The machine's 1-minute load: other work on the same cores shows in the latencies."""
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


WAYS = {
    "query": "state queries (first 20 ms after the click, then every --poll-ms) until the greeting shows",
    "update": "the greeter's settled_state update, as the lesson's signal panel does (no polling)",
}


# --- the class server, as an instructor starts it -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_class_server(state_dir: str, server_args: list[str]) -> class_server.ClassServer:
    """``temporal-notebooks class-server start`` in a process of its own, as the guide says."""
    command = [
        sys.executable, "-m", "temporal_notebooks", "class-server", "start", "--port", str(_free_port()),
        "--ui-port", str(_free_port()), "--namespace", NAMESPACE, "--state-dir", state_dir, *server_args,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"class-server start failed ({done.returncode}): {done.stdout}{done.stderr}")
    record = class_server.read_record(state_dir)
    assert record is not None, done.stdout
    print(done.stdout.splitlines()[0], flush=True)
    return record


def stop_class_server(state_dir: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "temporal_notebooks", "class-server", "stop", "--state-dir", state_dir],
        capture_output=True,
        timeout=60,
    )


def _each_thread(pid: int, action: Callable[[int], object]) -> None:
    """``action(thread id)`` for every thread of ``pid`` (one that ended meanwhile is skipped)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            action(int(task.name))


def pin_process(pid: int, cpus: set[int]) -> None:
    """Every thread of ``pid`` on ``cpus`` (threads it starts later inherit it)."""
    _each_thread(pid, lambda tid: os.sched_setaffinity(tid, cpus))


def renice_process(pid: int, niceness: int) -> None:
    """Every thread of ``pid`` at ``niceness`` (negative: ahead of the drivers on shared cores, as if the
    server had a machine of its own; threads it starts later inherit it from the thread starting them)."""
    _each_thread(pid, lambda tid: os.setpriority(os.PRIO_PROCESS, tid, niceness))
    # The server runs in a session of its own, so with autogroup scheduling (Linux's default for desktops
    # and many VMs) its group and the drivers' share the cores equally, whatever a thread's niceness:
    # the group's own niceness is what counts between them.
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(niceness))


# --- the server's own figures: Prometheus metrics ---------------------------------------------------

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(url: str | None) -> dict[tuple[str, str], float]:
    """(metric, "service:operation") → value, summed over the other labels; {} without metrics."""
    if not url:
        return {}
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return {}
    values: dict[tuple[str, str], float] = defaultdict(float)
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if not match or line.startswith("#"):
            continue
        name, labels, value = match.groups()
        if name.endswith("_bucket"):
            continue
        label = dict(_LABEL.findall(labels or ""))
        operation = f"{label.get('service_name', '')}:{label.get('operation', '')}"
        try:
            values[(name, operation)] += float(value)
        except ValueError:
            continue
    return values


def server_breakdown(before: dict, after: dict, flow_s: float, clicks: int) -> list[str]:
    """Where the server's time went during the flow, from two scrapes of its metrics."""
    if not before or not after:
        return ["(no server metrics)"]
    delta = {key: after.get(key, 0.0) - before.get(key, 0.0) for key in after}

    def by_operation(metric: str) -> dict[str, float]:
        return {op: v for (name, op), v in delta.items() if name == metric and v > 0}

    lines = []
    requests = {
        op.split(":", 1)[1]: v
        for op, v in by_operation("service_requests").items()
        if op.startswith("frontend:")
    }
    polls = sum(v for op, v in requests.items() if op.startswith("Poll"))
    others = sorted(((v, op) for op, v in requests.items() if not op.startswith("Poll")), reverse=True)
    waiting = sum(v for (name, _), v in before.items() if name == "pending_polls")
    lines.append(
        f"client requests/s: {sum(requests.values()) / flow_s:6.1f} in all, of which polls "
        f"{polls / flow_s:5.1f}; top: "
        + ", ".join(f"{op} {v / flow_s:.1f}" for v, op in others[:6])
        + f"; polls waiting in the server at the start: {waiting:.0f}"
    )
    db_time = by_operation("persistence_latency_sum")
    db_count = by_operation("persistence_requests") or by_operation("persistence_latency_count")
    total_db = sum(db_time.values())
    top = sorted(((v, op) for op, v in db_time.items()), reverse=True)[:5]
    lines.append(
        f"persistence (SQLite): {sum(db_count.values()) / max(clicks, 1):5.1f} calls and "
        f"{total_db * 1000 / max(clicks, 1):5.1f} ms per click; busy {total_db / flow_s:4.0%} of the flow "
        "(summed call time / wall time); top: "
        + ", ".join(f"{op.split(':', 1)[1]} {v * 1000 / max(clicks, 1):.1f} ms" for v, op in top)
    )
    calls = sorted(((v, op) for op, v in db_count.items()), reverse=True)[:8]
    lines.append(
        "persistence calls per click: "
        + ", ".join(f"{op.split(':', 1)[1]} {v / max(clicks, 1):.1f}" for v, op in calls)
    )

    def mean_ms(metric: str, operation: str) -> str:
        total, count = by_operation(f"{metric}_sum"), by_operation(f"{metric}_count")
        n = count.get(operation, 0)
        return f"{total.get(operation, 0) * 1000 / n:.1f} ms" if n else "-"

    # A workflow task's way to the worker: the history service's transfer queue (written → read → sent to
    # matching), then matching hands it to a waiting poll. The reader's polls are rate limited
    # (history.transferProcessorMaxPollRPS), so at a class's rate tasks wait for the next read.
    transfer = "history:TransferActiveTaskWorkflowTask"
    lines.append(
        "a workflow task on its way (mean): waits in the transfer queue "
        f"{mean_ms('task_latency_queue', transfer)}, its read {mean_ms('task_latency_load', transfer)}, "
        "sent to matching in "
        f"{mean_ms('task_latency_processing', transfer)}, scheduled → started "
        f"{mean_ms('task_schedule_to_start_latency', 'history:RecordWorkflowTaskStarted')}; frontend: signal "
        f"{mean_ms('service_latency', 'frontend:SignalWorkflowExecution')}, update "
        f"{mean_ms('service_latency', 'frontend:UpdateWorkflowExecution')}, workflow task completed "
        f"{mean_ms('service_latency', 'frontend:RespondWorkflowTaskCompleted')}"
    )
    failed = {**by_operation("persistence_error_with_type"), **by_operation("persistence_errors")}
    errors = sorted(((v, op) for op, v in failed.items()), reverse=True)
    if errors:  # a read of what does not exist yet counts too (a new workflow id, a new task queue)
        lines.append(
            "persistence errors: " + ", ".join(f"{op.split(':', 1)[1]} {v:.0f}" for v, op in errors[:4])
        )
    return lines


def log_lines_since(log_file: str, offset: int, pattern: str) -> int:
    try:
        with open(log_file, "rb") as log:
            log.seek(offset)
            return sum(1 for line in log if re.search(pattern.encode(), line))
    except OSError:
        return 0


# --- a run's report -----------------------------------------------------------------------------


def report(n: int, wait: str, run: ClassRun, args: argparse.Namespace) -> bool:
    lat = run.latencies_ms
    problems = run.errors
    ok = sum(1 for r in run.reports if r.ok)
    queries = sum(r.queries for r in run.reports)
    cores = os.cpu_count() or 1
    clicks = max(len(lat), 1)
    who = f"{args.drivers} driver processes" if args.drivers else "one process each"
    print(
        f"N={n:>3}  wait by {wait:<6}  learners ok {ok}/{n} ({who})  errors {len(problems)}  "
        f"clicks {len(lat)}  queries {queries}\n"
        f"       click→visible p50 {percentile(lat, 0.5):6.1f} ms  p95 {percentile(lat, 0.95):6.1f} ms  "
        f"max {max(lat, default=float('nan')):6.1f} ms\n"
        f"       peak RSS: server {run.peak_rss_server / MB:5.0f} MB + learners "
        f"{run.peak_rss_learners / MB:6.0f} MB = {run.peak_rss_total / MB:6.0f} MB "
        f"({run.peak_rss_learners / MB / n:4.1f} MB per learner)\n"
        f"       server CPU during the flow ({run.flow_s:5.1f} s): {run.server_cpu_s:5.1f} s = "
        f"{run.server_cpu_s / run.flow_s:4.2f} cores, {run.server_cpu_s * 1000 / clicks:4.1f} ms per click; "
        f"learners {run.learners_cpu_s:5.1f} s (their whole life) of {cores} cores; "
        f"all ready after {run.ready_s:4.1f} s",
        flush=True,
    )
    print(
        f"       server threads waited for a CPU (ready, another on it) {run.server_cpu_wait_s:5.1f} s "
        f"in the flow: {run.server_cpu_wait_s / max(run.server_cpu_s, 1e-9):4.1f}× its CPU time"
    )
    if run.learners_cpu_by_thread:
        split = ", ".join(f"{kind} {s:.1f} s" for kind, s in run.learners_cpu_by_thread.items())
        print(f"       learners' CPU by thread: {split}")
    buckets = [100, 150, 250, 500, 1000, 2000]
    counts = [sum(1 for x in lat if x <= b) for b in buckets]
    print(
        "       share of clicks visible within "
        + ", ".join(f"{b} ms: {c / clicks:.0%}" for b, c in zip(buckets, counts, strict=True))
    )
    for line in problems[:5]:
        print(f"       ! {line}")
    goal = percentile(lat, 0.95) <= args.goal_ms and not problems
    print(f"       goal (p95 ≤ {args.goal_ms:.0f} ms, no errors): {'met' if goal else 'NOT met'}", flush=True)
    return goal


# --- the two modes ------------------------------------------------------------------------------


def _kwargs(args: argparse.Namespace) -> dict:
    return dict(signals=args.signals, poll_ms=args.poll_ms, think_ms=args.think_ms, max_polls=args.max_polls)


async def machine_run(n: int, wait: str, args: argparse.Namespace, tag: str) -> tuple[ClassRun, str]:
    """One process per learner and a fresh dev server, all on this machine."""
    with tempfile.TemporaryDirectory(prefix="tn-class-") as home:
        server = _fresh_server(home)
        try:
            load_before = load_average()
            learners = [f"learner-{tag}{i:03d}" for i in range(n)]
            run = await run_class(learners, server.address, wait=wait, server_pid=server.pid, **_kwargs(args))
            return run, load_before
        finally:
            devserver.stop()


async def driver_run(
    n: int, wait: str, args: argparse.Namespace, tag: str, server: class_server.ClassServer
) -> tuple[ClassRun, str]:
    """The learners from ``--drivers`` processes against the running class server."""
    load_before = load_average()
    scrapes: dict[str, dict] = {}
    log_offset = os.path.getsize(server.log_file) if os.path.exists(server.log_file) else 0
    learners = [f"learner-{tag}{i:03d}" for i in range(n)]
    run = await run_class(
        learners,
        f"127.0.0.1:{server.port}",
        wait=wait,
        server_pid=server.pid,
        drivers=args.drivers,
        namespace=NAMESPACE,
        driver_cpus=_cpus(args.driver_cpus),
        on_go=lambda: scrapes.update(idle=idle_cost(server), go=scrape(server.metrics_url)),
        **_kwargs(args),
    )
    scrapes["done"] = scrape(server.metrics_url)
    idle_cpu, idle_polls = scrapes["idle"]
    print(
        f"       the class idle, everyone ready (workers polling, kernels' health checks): server CPU "
        f"{idle_cpu:4.2f} cores, {idle_polls:.0f} polls waiting in it ({idle_polls / n:.1f} per learner)"
    )
    for line in server_breakdown(scrapes["go"], scrapes["done"], run.flow_s, len(run.latencies_ms)):
        print(f"       {line}")
    locked = log_lines_since(server.log_file, log_offset, r"database is locked|SQLITE_BUSY")
    print(f"       server log: {locked} 'database is locked' lines during the run")
    return run, load_before


def idle_cost(server: class_server.ClassServer, seconds: float = 5.0) -> tuple[float, float]:
    """The server's CPU (in cores) while the whole class is ready and nobody clicks, and the polls
    waiting in it: what a class costs before anyone does anything."""
    before = cpu_seconds(server.pid)
    time.sleep(seconds)
    waiting = sum(v for (name, _), v in scrape(server.metrics_url).items() if name == "pending_polls")
    return (cpu_seconds(server.pid) - before) / seconds, waiting


def _cpus(text: str) -> set[int] | None:
    return {int(c) for c in text.split(",")} if text else None


@contextlib.contextmanager
def class_server_for_run(args: argparse.Namespace) -> Iterator[class_server.ClassServer]:
    """``class-server start`` in a state directory of its own, stopped (and its process gone) after."""
    with tempfile.TemporaryDirectory(prefix="tn-class-server-") as state_dir:
        _own_settings(state_dir)  # nothing of the user's own server or settings is touched
        server = start_class_server(state_dir, args.server_arg)
        try:
            if args.server_cpus:
                pin_process(server.pid, _cpus(args.server_cpus) or set())
            if args.server_nice:
                renice_process(server.pid, args.server_nice)
            yield server
        finally:
            stop_class_server(state_dir)
            if os.path.exists(f"/proc/{server.pid}"):
                os.kill(server.pid, signal.SIGKILL)


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "sizes", nargs="*", type=int, default=[10, 30, 60], help="class sizes (default 10 30 60)"
    )
    parser.add_argument("--signals", type=int, default=20, help="clicks per learner (default 20)")
    parser.add_argument("--poll-ms", type=float, default=20.0, help="pause before each state query")
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between a learner's clicks")
    parser.add_argument(
        "--wait",
        choices=["both", *WAYS],
        default="both",
        help="how a learner waits to see a click's result (default: both, one run each)",
    )
    parser.add_argument("--goal-ms", type=float, default=150.0, help="the p95 goal (default 150 ms)")
    parser.add_argument(
        "--search", action="store_true", help="stop at the first size where no way meets the goal"
    )
    parser.add_argument(
        "--drivers", type=int, default=0, help="learners run from this many processes against a class server"
    )
    parser.add_argument(
        "--max-polls",
        type=int,
        default=0,
        help="polls per kind of task of each worker (0: the collection's default, 2; the SDK's is 5)",
    )
    parser.add_argument("--server-cpus", default="", help="pin the class server to these cores, e.g. 0")
    parser.add_argument(
        "--server-nice",
        type=int,
        default=0,
        help="the class server's niceness, e.g. -10: its threads run first when it shares cores with the "
        "drivers, as on a machine of its own (negative values need root)",
    )
    parser.add_argument("--driver-cpus", default="", help="pin the driver processes to these cores, e.g. 1")
    parser.add_argument(
        "--server-arg", action="append", default=[], help="an option for class-server start (repeatable)"
    )
    args = parser.parse_args()
    limit = 200 if not args.drivers else 1000
    if any(n < 1 or n > limit for n in args.sizes):
        parser.error(f"class sizes must be between 1 and {limit}")
    ways = list(WAYS) if args.wait == "both" else [args.wait]
    print(
        f"{os.cpu_count()} cores; {args.signals} clicks per learner, mean think time between clicks "
        f"{args.think_ms:.0f} ms; "
        + (
            f"learners from {args.drivers} driver processes against `class-server start`"
            if args.drivers
            else "one process per learner, fresh dev server per run"
        )
        + (f"; pollers per task queue {args.max_polls}" if args.max_polls else "")
        + ". A click's result is awaited by\n"
        + "\n".join(f"  {way}: {WAYS[way]}" for way in ways),
        flush=True,
    )
    failed = False
    met: dict[str, int] = {}
    for n in sorted(args.sizes):
        any_met = False
        for wait in ways:
            tag = f"{n}{wait[0]}-"
            started = time.monotonic()
            if args.drivers:
                # A fresh class server per run: one class's workflows and task queues (loaded in the
                # server's matching for minutes after their workers stop) would weigh on the next run.
                with class_server_for_run(args) as server:
                    run, load_before = await driver_run(n, wait, args, tag, server)
            else:
                run, load_before = await machine_run(n, wait, args, tag)
            goal = report(n, wait, run, args)
            if goal:
                met[wait] = max(met.get(wait, 0), n)
                any_met = True
            leftovers = [pid for pid in run.pids if os.path.exists(f"/proc/{pid}")]
            if leftovers:
                print(f"       ! learner processes still alive: {leftovers}")
                failed = True
            failed |= bool(run.errors)
            print(
                f"       (whole run {time.monotonic() - started:.1f} s; machine load average "
                f"{load_before} before, {load_average()} after)",
                flush=True,
            )
        if args.search and not any_met:
            break
    print(
        "largest class meeting the goal: "
        + ", ".join(f"{way} {met[way] if way in met else 'none'}" for way in ways)
        + f" (of sizes {sorted(args.sizes)})",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(lambda: asyncio.run(main()))
