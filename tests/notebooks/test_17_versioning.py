"""Notebook 17 (versioning) in a real kernel: twice top to bottom with its key outputs, as
JupyterLab's queued Run All."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = ["XXX-first-look"]


async def test_notebook_17_runs_twice_with_its_key_outputs() -> None:
    await passes_with_key_outputs("17", KEY_OUTPUTS)


async def test_notebook_17_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("17")
