"""Notebook 11 (errors, cancellation, the sandbox's escape hatches) in a real kernel: twice top to
bottom with its key outputs (every deliberate failure shown in one line, none hanging a cell), as
JupyterLab's queued Run All, and its check failing on the skeleton and passing with the solution."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    # an uncaught ActivityError fails the workflow; a ValueError only its task, unless listed
    # (the runtime's one-line wording may change: the keys are the error's name and the lesson's own words)
    "⚠ WorkflowFailureError: ",
    "OutOfStock: no unicorn in stock",
    "cause: ActivityError (a FailureError: True), whose cause is the activity's ApplicationError "
    "'OutOfStock'",
    "⚠ WorkflowTaskFailedError: ",
    "'tester.parse-quantity' failed: invalid literal for int()",
    "ValueError: invalid literal for int() with base 10: 'lots'",
    # the same in an update handler, fixed on the worker
    "⚠ WorkflowUpdateRPCTimeoutOrCancelledError: Timeout or cancellation waiting for update",
    "the history says: invalid literal for int() with base 10: 'lots'",
    "⚠ WorkflowUpdateFailedError: ",
    "the workflow goes on: 3",
    # cancellation, with and without a heartbeat timeout
    "s after cancel(): ⚠ WorkflowFailureError: ",
    "0.5 s after cancel(): workflow RUNNING, activity ['PENDING_ACTIVITY_STATE_CANCEL_REQUESTED']",
    # timers, gather, the forgotten await
    "['TimerStarted', 'TimerFired', 'ActivityTaskScheduled', 'ActivityTaskStarted', 'ActivityTaskCompleted']",
    "one by one: cheapest south: 9.90 €",
    "asyncio.gather: cheapest south: 9.90 €",
    "result: receipt for A-1002 sent?",
    "activity events: []",
    "Python said: [\"coroutine 'execute_activity' was never awaited\"]",
    # the deadlock detector, and the fix
    "[TMPRL1101] Potential deadlock detected: workflow didn't yield within 2 second(s)",
    # ... and the line it names is the blocking call's, not threading.py's
    "(errors_lesson.py line ",
    ", in blocking_rate_lookup)",
    "EUR rate: 0.92",
    # the sandbox: a refused import, its two fixes, and the last resort
    "⚠ RuntimeError: Failed validating workflow ServiceUrl",
    "because: Cannot access urllib.request.Request.__mro_entries__ from inside a workflow",
    "https://shop.example.com/api/v2/orders/7",
    "https://shop.example.com/api/v2/orders/8",
    "failed: Cannot access os.fspath from inside a workflow",
    "unrestricted: q1.csv",
    # the exercise: the skeleton is refused (Run All never applies the solution)
    "❌ Not yet: the shops were asked one after the other",
    # (optional) an interceptor makes a ValueError from any activity non-retryable
    "without the interceptor: 3 attempts; ⚠ WorkflowFailureError: ",
    "with the interceptor:    1 attempt; ⚠ WorkflowFailureError: ",
    'the interceptor saw: ["parse_amount attempt 1: '
    "ValueError(invalid literal for int() with base 10: 'ten') → non-retryable\"]",
]


async def test_notebook_11_runs_twice_with_its_key_outputs() -> None:
    await passes_with_key_outputs("11", KEY_OUTPUTS)


async def test_notebook_11_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("11")
