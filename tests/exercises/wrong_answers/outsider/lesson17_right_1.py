# ruff: noqa
# Written by someone who saw only the exercise text (/work/exercise_texts/lesson17.md).
# intent: deprecate_patch at the start of run; every step in one loop
# why right: deprecate_patch where patched was, the discount for everyone
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
        workflow.deprecate_patch("loyalty-discount")
        for step in (apply_loyalty_discount, charge_renewal, send_receipt):
            steps.append(await workflow.execute_activity(step, customer, start_to_close_timeout=TIMEOUT))
        return steps
