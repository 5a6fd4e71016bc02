%%module_file exercise11
import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.errors_lesson import Quote, quote_price


@workflow.defn(name="Cheapest")
class CheapestWorkflow:
    @workflow.run
    async def run(self, shops: list[str]) -> Quote:
        # Start every quote first, then wait for all of them together.
        quotes = await asyncio.gather(
            *(
                workflow.execute_activity(quote_price, shop, start_to_close_timeout=timedelta(seconds=5))
                for shop in shops
            )
        )
        return min(quotes, key=lambda quote: quote.cents)
