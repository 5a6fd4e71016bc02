%%module_file exercise10
import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.message_handlers import approve_purchase


@workflow.defn(name="Wallet")
class WalletWorkflow:
    @workflow.init
    def __init__(self, balance: int) -> None:
        self.balance = balance
        self.closed = False
        self.lock = asyncio.Lock()  # one lock for the wallet, made once

    @workflow.run
    async def run(self, balance: int) -> int:
        await workflow.wait_condition(lambda: self.closed and workflow.all_handlers_finished())
        return self.balance

    @workflow.update
    async def spend(self, amount: int) -> int:
        async with self.lock:  # no other spend runs between the check and the write
            if amount > self.balance:
                raise ApplicationError(f"not enough money: {self.balance} left, asked {amount}")
            await workflow.execute_activity(
                approve_purchase, amount, start_to_close_timeout=timedelta(seconds=5)
            )
            self.balance -= amount
            return self.balance

    @workflow.signal
    def close(self) -> None:
        self.closed = True
