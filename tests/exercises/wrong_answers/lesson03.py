"""Lesson 03: the billing service's names, "invoice.v1", "approve" and "state", set with name=...."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

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


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong(
        "lesson03_wrong_1", "the signal method approve_invoice is now approve", "Keep the Python names"
    ),
    outsider_wrong("lesson03_wrong_2", "the workflow type is 'InvoiceWorkflow'"),
    outsider_wrong(
        "lesson03_wrong_3",
        "no signal \"approve\" (registered: 'state')",
        "no query \"state\" (registered: 'approve')",
    ),
    outsider_wrong(
        "lesson03_wrong_4", 'no signal "approve" (registered: none)', 'no query "state" (registered: none)'
    ),
    outsider_wrong("lesson03_wrong_5", "no query \"state\" (registered: 'current_state')"),
    outsider_wrong(
        "lesson03_wrong_6", "approve_invoice is now _approve_alias", "current_state is now _state_alias"
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson03_right_1"), outsider_right("lesson03_right_2")]
