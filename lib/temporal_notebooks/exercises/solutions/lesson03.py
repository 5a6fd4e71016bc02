%%module_file exercise03
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.type_names import send_invoice


@workflow.defn(name="invoice.v1")
class InvoiceWorkflow:
    def __init__(self) -> None:
        self._approved = False

    @workflow.run
    async def run(self, invoice_id: str) -> str:
        await workflow.wait_condition(lambda: self._approved)
        return await workflow.execute_activity(
            send_invoice, invoice_id, start_to_close_timeout=timedelta(seconds=10)
        )

    @workflow.signal(name="approve")
    def approve_invoice(self) -> None:
        self._approved = True

    @workflow.query(name="state")
    def current_state(self) -> str:
        return "approved" if self._approved else "awaiting approval"
