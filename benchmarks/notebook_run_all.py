"""Restart & Run All wall time per notebook: a fresh kernel executes every cell (nbclient), N times.

Prints the median and the slowest of N runs for each notebook, with the shared dev server warm (as
in a class: the first notebook of the day pays the server start once; see first_result.py).
Run: .venv/bin/python benchmarks/notebook_run_all.py [N] [notebook prefixes...]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from temporal_notebooks.runtime import devserver

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


async def run_once(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    started = time.perf_counter()
    await client.async_execute()
    return time.perf_counter() - started


async def main(n: int, prefixes: list[str]) -> None:
    own_server = devserver.HOME_ENV not in os.environ  # a server of its own, in /tmp: stopped at the end
    os.environ.setdefault(devserver.HOME_ENV, tempfile.mkdtemp(prefix="tn-bench-"))
    os.environ.setdefault("TEMPORAL_NOTEBOOKS_LEARNER", "bench")
    devserver.ensure_running()
    paths = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not prefixes or p.name.startswith(tuple(prefixes)))
    print(f"Restart & Run All wall time, {n} runs each (s)")
    try:
        for path in paths:
            times = [await run_once(path) for _ in range(n)]
            print(f"{path.name:40} median {statistics.median(times):5.1f}  max {max(times):5.1f}")
    finally:
        if own_server:
            devserver.stop()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(lambda: asyncio.run(main(count, sys.argv[2:])))
