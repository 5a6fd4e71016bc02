"""The lesson's script process: ready on its line, killed and reaped at the block's end, and a script
that dies before it is ready says why in one error instead of hanging."""

from __future__ import annotations

import os

import pytest

from temporal_notebooks.runtime.processes import ScriptProcess


async def test_a_script_that_exits_before_ready_says_what_it_printed() -> None:
    said = r"(?s)^python -m json.tool .* exited \(2\) before it was ready:\n.*No such file"
    with pytest.raises(RuntimeError, match=said):
        async with ScriptProcess("json.tool", "/no/such/file.json", ready="never printed"):
            pass


async def test_the_process_is_killed_and_reaped_when_the_block_ends() -> None:
    code = "print('up', flush=True); import time; time.sleep(600)"
    async with ScriptProcess("timeit", "-n1", "-r1", "-s", code, "pass", ready="up") as process:
        os.kill(process.pid, 0)  # running
    assert process.killed_at is not None and process.process is not None
    assert process.process.returncode == -9  # SIGKILL, and reaped: no zombie, no orphan
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
