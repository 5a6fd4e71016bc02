"""Lesson 03: the billing service's names, "invoice.v1", "approve" and "state", set with name=...."""

from wrong_answers import WrongAnswer, solution_with

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("the workflow type is 'InvoiceWorkflow', expected \"invoice.v1\"", 'no signal "approve"')

WRONG_ANSWERS = [
    WrongAnswer(
        "only the workflow type named",
        solution_with(
            "03",
            ('@workflow.signal(name="approve")', "@workflow.signal"),
            ('@workflow.query(name="state")', "@workflow.query"),
        ),
        (
            "no signal \"approve\" (registered: 'approve_invoice')",
            "no query \"state\" (registered: 'current_state')",
        ),
    ),
    WrongAnswer(
        "the methods renamed instead of name=...",
        solution_with(
            "03",
            (
                '@workflow.signal(name="approve")\n    def approve_invoice',
                "@workflow.signal\n    def approve",
            ),
            ('@workflow.query(name="state")\n    def current_state', "@workflow.query\n    def state"),
        ),
        (
            "the signal method approve_invoice is now approve",
            "the query method current_state is now state",
            "name=...",
        ),
    ),
    WrongAnswer(
        "the type name spelt differently",
        solution_with("03", ('@workflow.defn(name="invoice.v1")', '@workflow.defn(name="invoice_v1")')),
        ("the workflow type is 'invoice_v1', expected \"invoice.v1\"",),
    ),
    WrongAnswer(
        "the signal name with a capital letter",
        solution_with("03", ('@workflow.signal(name="approve")', '@workflow.signal(name="Approve")')),
        ("no signal \"approve\" (registered: 'Approve')",),
    ),
    WrongAnswer(
        "the query answers nothing",
        solution_with("03", ('return "approved" if self._approved else "awaiting approval"', 'return ""')),
        ("query \"state\" answered ''", "a short text"),
    ),
    WrongAnswer(
        "the invoice returned without sending it through the activity",
        solution_with(
            "03",
            (
                """        return await workflow.execute_activity(
            send_invoice, invoice_id, start_to_close_timeout=timedelta(seconds=10)
        )""",
                '        return f"{invoice_id} sent"',
            ),
        ),
        ('the run never called activity "invoice.send" (the history has: none)',),
    ),
]
