# ruff: noqa
# Written by someone who saw only the exercise text (/work/exercise_texts/lesson17.md).
# intent: leaves the code as it is: it already gives everyone the discount
# why wrong: write the next stage of the patch's life
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
        steps = []
        if workflow.patched("loyalty-discount"):
            steps.append(
                await workflow.execute_activity(apply_loyalty_discount, customer, start_to_close_timeout=TIMEOUT)
            )
        steps.append(await workflow.execute_activity(charge_renewal, customer, start_to_close_timeout=TIMEOUT))
        steps.append(await workflow.execute_activity(send_receipt, customer, start_to_close_timeout=TIMEOUT))
        return steps
