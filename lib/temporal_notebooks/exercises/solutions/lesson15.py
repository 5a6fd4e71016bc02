%%module_file exercise15
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.schedules import ORDER_STATUS, refund_payment


@workflow.defn(name="Refund")
class RefundWorkflow:
    @workflow.run
    async def run(self, order_id: str) -> str:
        workflow.upsert_search_attributes([ORDER_STATUS.value_set("refunding")])
        refunded = await workflow.execute_activity(
            refund_payment, order_id, start_to_close_timeout=timedelta(seconds=10)
        )
        workflow.upsert_search_attributes([ORDER_STATUS.value_set("refunded")])
        return refunded
