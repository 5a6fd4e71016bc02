"""Notebook 08 (updates) in a real kernel: twice top to bottom with its key outputs, as JupyterLab's
queued Run All, and its check cell refusing the skeleton while the solution stays hidden."""

from __future__ import annotations

import re

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    "after bread:  2 × apple, 1 × bread: 3.50 €",
    # the validator's rejections, one line each
    "InvalidItem: 'durian' is not sold here: choose one of apple, bread, coffee, milk",
    "InvalidItem: the quantity must be between 1 and 10, got 50",
    # the history holds the accepted updates only
    "accepted updates: 2",
    "any trace of the rejected ones? False",
    # start_update with a wait stage, then the result
    "paid 3.50 €, confirmation PAY-",
    "That workflow has already closed",
    # signal vs update
    "signal returned: None",
    "cart: 1 × apple, 1 × coffee: 4.50 € (1 signal ignored)",
    'WorkflowExecutionSignaled add_item_by_signal · input: {"quantity": 1, "sku": "durian"}',
    # the form, used by code
    "'durian'    → ✗ Rejected: 'durian' is not sold here",
    "'apple 50'  → ✗ Rejected: the quantity must be between 1 and 10, got 50",
    "'apple 2'   → ✓ In the cart: 2 × apple: 1.00 €",
    # the exercise: the skeleton is refused (the solution stays hidden)
    "❌ Not yet: a bid of 5 after the highest bid 10 was accepted",
    "still open for the form:",
]


async def test_notebook_08_runs_twice_with_its_key_outputs() -> None:
    for _number, text, _nb in await passes_with_key_outputs("08", KEY_OUTPUTS):
        accepted = int(re.search(r"accepted after\s+(\d+) ms", text).group(1))
        finished = int(re.search(r"result after\s+(\d+) ms", text).group(1))
        assert accepted < 500 <= finished, (accepted, finished)  # ACCEPTED came before the 0.5 s payment


async def test_notebook_08_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("08")
