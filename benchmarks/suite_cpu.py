"""Where a command's CPU goes, by kind of process: run it (``make test`` by default) and sample every
process on the machine each ``--every`` seconds.

The suite is CPU-bound on 2 cores (load 7-9), so its wall time is about its CPU time over two. This says
which processes to make cheaper: dev servers, kernels, JupyterLab, Chromium, the test processes.

    python benchmarks/suite_cpu.py                    # make test, in this checkout
    python benchmarks/suite_cpu.py -- pytest tests/notebooks -n 5
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

# First match wins: (kind, a piece of the command line).
KINDS = (
    ("temporal test server", "temporal-test-server"),
    ("temporal dev server", "server start-dev"),
    ("temporal CLI (other)", "/temporal "),
    ("kernel", "ipykernel_launcher"),
    ("JupyterHub", "jupyterhub"),
    ("JupyterLab / Jupyter server", "jupyter"),
    ("Chromium", "chromium"),
    ("Playwright driver (node)", "playwright"),
    ("http proxy (node)", "configurable-http-proxy"),
    ("pytest process", "pytest"),
    ("pytest process", "exec(eval(sys.stdin.readline()))"),  # an xdist worker, as execnet starts it
    ("other Python", "python"),
)


def kind_of(cmdline: str) -> str:
    for kind, piece in KINDS:
        if piece in cmdline:
            return kind
    return "other"


def read_processes() -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds so far) for every process now."""
    seen: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        seen[int(entry.name)] = (kind_of(cmdline) if cmdline else "Linux kernel threads", cpu)
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("command", nargs="*", default=["make", "test"])
    args = parser.parse_args()

    before = read_processes()
    most: dict[int, tuple[str, float]] = {}
    started = time.monotonic()
    proc = subprocess.Popen(args.command)
    counts: dict[str, set[int]] = defaultdict(set)
    while proc.poll() is None:
        for pid, (kind, cpu) in read_processes().items():
            base = before.get(pid, (kind, 0.0))[1]
            most[pid] = (kind, max(cpu - base, most.get(pid, (kind, 0.0))[1]))
            counts[kind].add(pid)
        time.sleep(args.every)
    wall = time.monotonic() - started

    by_kind: dict[str, float] = defaultdict(float)
    for kind, cpu in most.values():
        by_kind[kind] += cpu
    total = sum(by_kind.values())
    print(
        f"\nexit {proc.returncode}; wall {wall / 60:.1f} min; CPU seen {total / 60:.1f} min "
        f"({total / wall:.2f} cores on average; processes living under {args.every} s are missed)"
    )
    print(f"{'kind':32} {'CPU min':>8} {'share':>6} {'processes':>9}")
    for kind, cpu in sorted(by_kind.items(), key=lambda item: -item[1]):
        print(f"{kind:32} {cpu / 60:8.1f} {cpu / total:6.0%} {len(counts[kind]):9}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
