%%module_file exercise08
from temporalio import workflow
from temporalio.exceptions import ApplicationError


@workflow.defn
class AuctionWorkflow:
    def __init__(self) -> None:
        self.highest_bid = 0

    @workflow.run
    async def run(self, item: str) -> int:
        # The auction stays open until the workflow is closed from outside.
        await workflow.wait_condition(lambda: False)
        return self.highest_bid

    @workflow.update
    def place_bid(self, amount: int) -> int:
        self.highest_bid = amount
        return self.highest_bid

    @place_bid.validator
    def validate_bid(self, amount: int) -> None:
        if amount <= self.highest_bid:
            raise ApplicationError(f"a bid must beat the highest bid, {self.highest_bid}; got {amount}")
