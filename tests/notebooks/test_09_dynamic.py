"""Notebook 09 (dynamic handlers) in a real kernel: twice top to bottom with its key outputs, as
JupyterLab's queued Run All, and its check cell refusing the skeleton while the solution stays hidden."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    # a dynamic workflow and a dynamic activity catch unregistered names
    "NoSuchWorkflow     → [NoSuchWorkflow] Hello, Ada! (handled as 'unregistered_greeting' by the dynamic",
    "InvoiceWorkflowV2  → [InvoiceWorkflowV2] Hello, Ada!",
    "WorkflowExecutionStarted NoSuchWorkflow",
    "ActivityTaskScheduled unregistered_greeting",
    # dynamic signal, update and query
    "update   set_colour → set_colour: unset → teal",
    "query    mood       → happy",
    "query    weather    → sunny",
    "query    colour     → nothing received as 'colour'",
    # the dynamic update's validator
    "'delete_everything' is not a setting: update names here start with 'set_'",
    # static handlers win
    "result:   ['mood: curious', 'mood: happy', 'weather: sunny']",
    # a typo: loud without dynamic handlers, swallowed with them
    "The workflow has no query named 'recieved' (its queries: [received]). Names must match exactly",
    "The workflow has no update named 'set_colour' (its updates: none), so the update was rejected.",
    "dynamic box, 'recieved': nothing received as 'recieved'",
    # the exercise: the skeleton is refused (the solution stays hidden)
    "❌ Not yet: steps ['upper'] on 'hello wORLD' gave 'TODO'; expected 'HELLO WORLD'.",
]


async def test_notebook_09_runs_twice_with_its_key_outputs() -> None:
    await passes_with_key_outputs("09", KEY_OUTPUTS)


async def test_notebook_09_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("09")
