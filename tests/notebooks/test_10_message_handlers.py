"""Notebook 10 (message handlers in depth) in a real kernel: twice top to bottom with its key outputs,
as JupyterLab's queued Run All, and its check cell failing on the skeleton and passing with the solution."""

from __future__ import annotations

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    # two handlers interleave at the await: a booking is lost; the lock fixes it
    "5 seats sold, yet 7 of 10 are left: a booking was lost",
    "bob booked 3, 5 left",
    "seats left when the box office closed: 5",
    # a run that returns with a busy handler: the SDK's warning and the caller's error
    "UnfinishedUpdateHandlersWarning: [TMPRL1102] Workflow finished while update handlers are still running.",
    "Workflow Update failed because the Workflow completed before the Update completed",
    "the update's answer: order-2 shipped",
    "warnings: []",
    # the default policy warns about the dropped signal handler, ABANDON does not
    "remind_later_default: workflow result: []",
    "warnings: ['[TMPRL1102] Workflow finished while signal handlers are stil']",
    "remind_later: workflow result: []",
    # rejected versus accepted-then-failed
    "rejected: cause ApplicationError, ",
    "InvalidBooking: book 1 to 4 seats at a time, not 9",
    "failed: cause ActivityError, ",
    "CardDeclined: card 0000-1111 was declined",
    "the workflow goes on: erin booked 1, 9 left",
    "update events: ['WorkflowExecutionUpdateAccepted', 'WorkflowExecutionUpdateCompleted', "
    "'WorkflowExecutionUpdateAccepted', 'WorkflowExecutionUpdateCompleted']",
    # update-with-start
    "alice booked 2, 98 left",
    "bob booked 4, 94 left",
    "same run: True",
    "seats left at closing: 94",
    # continue-as-new and update ids
    "deposit-7: balance 70",
    "now in run 3, balance 70",
    "'WorkflowExecutionContinuedAsNew']",
    "deposit-7 sent again: answered 70",
    "deposit-2 sent again: answered 20",
    "balance still 70, run 3",
    # the server answered deposit-7's retry itself; deposit-2 reached the workflow (answered from its state)
    "update ids the current run accepted: ['deposit-7', 'deposit-2']",
    # the exercise: the skeleton is refused (Run All never applies the solution)
    "❌ Not yet: 40 + 40 + 40 sent at once from 100 were all approved and the balance ended at -20",
]


async def test_notebook_10_runs_twice_with_its_key_outputs() -> None:
    await passes_with_key_outputs("10", KEY_OUTPUTS)


async def test_notebook_10_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("10")
