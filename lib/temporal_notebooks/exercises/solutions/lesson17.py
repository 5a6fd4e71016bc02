%%module_file exercise17
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.versioning import (
        apply_loyalty_discount,
        charge_renewal,
        send_receipt,
    )

TIMEOUT = timedelta(seconds=10)


@workflow.defn(name="Renewal")
class RenewalWorkflow:
    @workflow.run
    async def run(self, customer: str) -> list[str]:
        # No renewal from before the patch is left, so the old path goes. The call stays, deprecated,
        # for the renewals recorded with patched() that are still open; the next stage removes it.
        workflow.deprecate_patch("loyalty-discount")
        discount = await workflow.execute_activity(
            apply_loyalty_discount, customer, start_to_close_timeout=TIMEOUT
        )
        charged = await workflow.execute_activity(charge_renewal, customer, start_to_close_timeout=TIMEOUT)
        receipt = await workflow.execute_activity(send_receipt, customer, start_to_close_timeout=TIMEOUT)
        return [discount, charged, receipt]
