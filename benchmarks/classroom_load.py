"""A class on one shared dev server: N learner processes, each with its own worker, running the
signals lesson's flow at the same time (start the greeter, 20 signals each awaited until its
greeting is visible, state queries, an update, the exit signal and the result).

    .venv/bin/python benchmarks/classroom_load.py                    # N = 10, 30, 60, clicking flat out
    .venv/bin/python benchmarks/classroom_load.py 60 --think-ms 5000   # a click about every 5 s each

Per N and way of waiting it prints the click→visible latency (signal sent → the new greeting seen,
by state queries or by the lesson panel's settled_state update), peak memory (server + learners,
from /proc), and CPU seconds of the server and the learners. Every run gets a fresh dev server,
started the way the notebooks start it (loopback only), and stopped at the end; every learner
process is reaped (no orphans).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from temporal_notebooks.classroom.simulation import ClassRun, percentile, run_class
from temporal_notebooks.runtime import devserver

MB = 1024 * 1024


def _fresh_server(home: str) -> devserver.DevServer:
    os.environ[devserver.HOME_ENV] = home
    empty_config = os.path.join(home, "temporal.toml")
    open(empty_config, "w").close()
    os.environ["TEMPORAL_CONFIG_FILE"] = empty_config  # no personal profile gets in the way
    for name in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "TEMPORAL_PROFILE"):
        os.environ.pop(name, None)
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


def report(n: int, wait: str, run: ClassRun, args: argparse.Namespace) -> None:
    lat = run.latencies_ms
    problems = run.errors
    ok = sum(1 for r in run.reports if r.ok)
    queries = sum(r.queries for r in run.reports)
    cores = os.cpu_count() or 1
    print(
        f"N={n:>3}  wait by {wait:<6}  learners ok {ok}/{n}  errors {len(problems)}  clicks {len(lat)}  "
        f"queries {queries}\n"
        f"       click→visible p50 {percentile(lat, 0.5):6.1f} ms  p95 {percentile(lat, 0.95):6.1f} ms  "
        f"max {max(lat, default=float('nan')):6.1f} ms\n"
        f"       peak RSS: server {run.peak_rss_server / MB:5.0f} MB + learners "
        f"{run.peak_rss_learners / MB:6.0f} MB = {run.peak_rss_total / MB:6.0f} MB "
        f"({run.peak_rss_learners / MB / n:4.0f} MB per learner)\n"
        f"       CPU during the flow ({run.flow_s:5.1f} s): server {run.server_cpu_s:5.1f} s, "
        f"learners {run.learners_cpu_s:5.1f} s (their whole life) of {cores} cores; "
        f"all ready after {run.ready_s:4.1f} s",
        flush=True,
    )
    buckets = [100, 250, 500, 1000, 2000]
    counts = [sum(1 for x in lat if x <= b) for b in buckets]
    print(
        "       share of clicks visible within "
        + ", ".join(f"{b} ms: {c / max(len(lat), 1):.0%}" for b, c in zip(buckets, counts, strict=True))
    )
    for line in problems[:5]:
        print(f"       ! {line}")
    goal = percentile(lat, 0.95) <= args.goal_ms and not problems
    print(f"       goal (p95 ≤ {args.goal_ms:.0f} ms, no errors): {'met' if goal else 'NOT met'}", flush=True)


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
    parser.add_argument("--goal-ms", type=float, default=250.0)
    args = parser.parse_args()
    if any(n < 1 or n > 200 for n in args.sizes):
        parser.error("class sizes must be between 1 and 200")
    ways = list(WAYS) if args.wait == "both" else [args.wait]
    print(
        f"{os.cpu_count()} cores; {args.signals} clicks per learner, mean think time between clicks "
        f"{args.think_ms:.0f} ms. A click's result is awaited by\n"
        + "\n".join(f"  {way}: {WAYS[way]}" for way in ways),
        flush=True,
    )
    failed = False
    for n, wait in [(n, wait) for n in args.sizes for wait in ways]:
        with tempfile.TemporaryDirectory(prefix="tn-class-") as home:
            server = _fresh_server(home)
            try:
                learners = [f"learner-{i:03d}" for i in range(n)]
                started, load_before = time.monotonic(), load_average()
                run = await run_class(
                    learners,
                    server.address,
                    signals=args.signals,
                    poll_ms=args.poll_ms,
                    think_ms=args.think_ms,
                    wait=wait,
                    server_pid=server.pid,
                )
                report(n, wait, run, args)
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
            finally:
                devserver.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(lambda: asyncio.run(main()))
