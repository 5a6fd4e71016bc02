"""Fresh kernel → first workflow result, with the local dev server cold (not running) and warm.

Prints the median of N runs of each phase, measured inside a new kernel each time:
imports, connect (which starts the server when cold), worker start, first workflow result.
Run: .venv/bin/python benchmarks/first_result.py [N]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from kernel import Kernel  # noqa: E402

from temporal_notebooks.runtime import devserver  # noqa: E402

CELL = """
import time, json
t0 = time.perf_counter()
from temporal_notebooks.runtime import connect, start_worker, scoped
from temporal_notebooks.workflows.greeting import GreetingWorkflow
from temporal_notebooks.activities.greeting import compose_greeting
from temporalio.common import WorkflowIDConflictPolicy
t1 = time.perf_counter()
client = await connect(quiet=True)
t2 = time.perf_counter()
await start_worker(client, scoped("bench"), workflows=[GreetingWorkflow], activities=[compose_greeting],
                   show_status=False)
t3 = time.perf_counter()
await client.execute_workflow(GreetingWorkflow.run, "bench", id=scoped("bench"), task_queue=scoped("bench"),
                              id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "connect": t2 - t1, "worker": t3 - t2, "workflow": t4 - t3}))
"""


async def one_run() -> dict[str, float]:
    async with Kernel() as kernel:
        phases = json.loads((await kernel.ok(CELL)).strip().splitlines()[-1])
    phases["after imports"] = phases["connect"] + phases["worker"] + phases["workflow"]
    phases["total"] = phases["imports"] + phases["after imports"]
    return phases


def report(label: str, runs: list[dict[str, float]]) -> None:
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{label:5} " + "  ".join(f"{k}={v * 1000:.0f}ms" for k, v in medians.items()))


async def main(n: int) -> None:
    os.environ[devserver.HOME_ENV] = tempfile.mkdtemp(prefix="tn-bench-")
    os.environ["TEMPORAL_NOTEBOOKS_LEARNER"] = "bench"
    for name in [k for k in os.environ if k.startswith("TEMPORAL_") and k != "TEMPORAL_NOTEBOOKS_LEARNER"]:
        if name != devserver.HOME_ENV:
            del os.environ[name]
    cold, warm = [], []
    for _ in range(n):
        devserver.stop()
        cold.append(await one_run())
        warm.append(await one_run())
    devserver.stop()
    print(f"fresh kernel -> first workflow result, median of {n} (ms)")
    report("cold", cold)
    report("warm", warm)


if __name__ == "__main__":
    from temporal_notebooks.runtime.exits import run_command  # ends with main's status, not the SDK's abort

    run_command(lambda: asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
