"""`asyncio.run` in a cell (lesson 01's starter script) with JupyterLab's Run All: cells queued at once.

The archived `nest_asyncio` 1.6 loses the replies of every queued cell after such a cell on ipykernel 7
(JupyterLab then shows them as running forever); a preceding top-level `await` cell can mask it, so
this test puts the `asyncio.run` cell first. The lessons use the maintained fork `nest_asyncio2`.
"""

from __future__ import annotations

import nbrun
import pytest

CELLS = [
    "import asyncio\nimport nest_asyncio2\nnest_asyncio2.apply()\nasyncio.run(asyncio.sleep(0.05))",
    "print('after asyncio.run')",
    "asyncio.run(asyncio.sleep(0.05))",
    "await asyncio.sleep(0.05)",
    "print('last cell')",
]


@pytest.mark.parametrize("attempt", range(3))
async def test_cells_queued_after_asyncio_run_all_finish(attempt: int) -> None:
    replies = await nbrun.run_queued(CELLS, timeout_s=30)
    assert [r["status"] for r in replies] == ["ok"] * len(CELLS)
