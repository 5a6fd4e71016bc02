%%module_file exercise04
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.activities_lesson import fetch_exchange_rate


@workflow.defn(name="ExchangeRate")
class ExchangeRateWorkflow:
    @workflow.run
    async def run(self, currency: str) -> float:
        return await workflow.execute_activity(
            fetch_exchange_rate,
            currency,
            start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200),  # the service is busy only briefly
                maximum_attempts=5,  # the busy service gets more chances...
                non_retryable_error_types=["UnknownCurrency"],  # ...an unknown currency gets none
            ),
        )
