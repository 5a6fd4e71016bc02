"""Notebook 02 (parameters and return values) in a real kernel: twice top to bottom with its key
outputs, as JupyterLab's queued Run All; its exercise check refuses the skeleton and Run All never
shows the solution."""

from __future__ import annotations

import re

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    # positional parameters, and a caller with the old signature
    "Ada: 2 x tea = 9.00",
    "WorkflowTaskFailedError: Run 'tester.price-old-caller' was started with arguments that do not fit its "
    "run method: PriceWorkflow.run() is missing 'customer'. A caller written for another version of the "
    "workflow?",
    # one dataclass; an old-shaped payload from the CLI; a newer caller's extra field
    "OrderQuote(customer='Ada', lines=['tea: 4.50', 'cake: 3.20', 'gift wrap: 2.50'], total_cents=1020)",
    "$ temporal workflow execute --type QuoteWorkflow",
    '--input \'{"customer": "Grace", "items": ["coffee", "scone"]}\'',
    'Result          {"customer":"Grace","lines":["coffee: 3.80","scone: 2.90"],"total_cents":670}',
    "OrderQuote(customer='Grace', lines=['coffee: 3.80', 'scone: 2.90'], total_cents=670)",
    "{'customer': 'Lin', 'lines': ['tea: 4.50'], 'total_cents': 450}",
    # serializable or not
    'data:     {"customer":"Ada","gift_wrap":false,"items":["tea"]}',
    "TypeError: A value cannot be sent to Temporal: Object of type Customer is not JSON serializable. "
    "Arguments and results travel as JSON",
    # a workflow that never started: not "closed"
    "RPCError: No such workflow on the server (workflow not found for ID: tester.quote-plain-object): "
    "nothing was started under that id",
    # return values and errors, in the client and in the history
    "client got: WorkflowFailureError: Workflow execution failed",
    "its cause:  ApplicationError(type='EmptyOrder', "
    "message='An order needs at least one item (Eve sent none)', details=({'customer': 'Eve'},))",
    'WorkflowExecutionCompleted result: {"customer": "Ada"',
    "WorkflowExecutionFailed failure: An order needs at least one item (Eve sent none)",
    # payload limits and the fix
    "1000 rows, 22799 bytes",
    "activity or child failed: PayloadsTooLarge: [TMPRL1103] Attempted to upload payloads with size that "
    "exceeded the error limit.",
    "ActivityTaskFailed failure: [TMPRL1103]",
    "read 2,477,806 bytes from report-tester.report-by-reference.csv; checksum ok: True",
    # the exercise: the skeleton is refused (the solution stays hidden)
    '❌ Not yet: for {"weight_kg": 2} it returned {"express": false, "price_cents": 0}; expected '
    '{"price_cents": 700, "express": false}.',
]


async def test_notebook_02_runs_twice_with_its_key_outputs() -> None:
    for number, text, _nb in await passes_with_key_outputs("02", KEY_OUTPUTS):
        # with the default retry policy the too-large result is retried, not failed
        retried = re.search(r"build_report: attempt (\d+), last failure PayloadsTooLarge: \[TMPRL1103", text)
        assert retried and int(retried.group(1)) >= 2, f"pass {number}"


async def test_notebook_02_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("02")
