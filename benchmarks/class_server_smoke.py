"""The smoke test against a class server started two ways: the long ``temporal server start-dev``
line an instructor used to type (the dev server's defaults), and ``temporal-notebooks class-server
start`` (the lessons' tuned settings: SQLite WAL without a flush per commit, timers on time).

    .venv/bin/python benchmarks/class_server_smoke.py            # 3 smoke runs on each server
    .venv/bin/python benchmarks/class_server_smoke.py --runs 5 --lessons 04

Prints each run's wall time and the median per server, and the machine's load average (the
figures mean little on a busy machine). Each server gets a fresh temp state dir and free ports,
and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from temporal_notebooks.classroom import class_server
from temporal_notebooks.runtime import devserver

NAMESPACE = "workshop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smoke_seconds(port: int, lessons: list[str], home: str) -> tuple[float, bool]:
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "TEMPORAL_NAMESPACE": NAMESPACE,
        devserver.HOME_ENV: home,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "temporal_notebooks", "smoke", *lessons],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return time.monotonic() - started, done.returncode == 0


def plain_server(directory: Path) -> tuple[subprocess.Popen, int]:
    """What the guide used to say: the dev server with its defaults, a namespace and a db file."""
    port, ui_port = free_port(), free_port()
    command = [
        devserver.find_binary("temporal"), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port),
        "--ui-port", str(ui_port), "--db-filename", str(directory / "plain.db"), "--namespace", NAMESPACE,
        "--log-level", "warn",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(2)  # the namespace is registered a moment after the port opens
                return process, port
        time.sleep(0.1)
    raise RuntimeError("the plain dev server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lessons", nargs="*", default=[], help="lesson numbers (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        results: dict[str, list[tuple[float, bool]]] = {}
        process, port = plain_server(root)
        try:
            results["plain start-dev"] = [
                smoke_seconds(port, args.lessons, str(root / "home")) for _ in range(args.runs)
            ]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(15)
        options = class_server.ClassServerOptions(
            port=free_port(), ui_port=free_port(), namespace=NAMESPACE, state_dir=str(root / "class")
        )
        record, _ = class_server.start(options)
        try:
            results["class-server"] = [
                smoke_seconds(record.port, args.lessons, str(root / "home")) for _ in range(args.runs)
            ]
        finally:
            class_server.stop(options.state_dir)
    print(f"load average: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} CPUs)")
    for name, runs in results.items():
        times = ", ".join(f"{t:.1f}{'' if ok else ' FAILED'}" for t, ok in runs)
        median = statistics.median(t for t, _ in runs)
        print(f"{name:>16}: smoke test {median:.1f} s median ({times})")


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(main)
