"""A workflow that waits for one signal: small enough for the sandbox to re-import cheaply."""

from temporalio import workflow


@workflow.defn
class WaitForSignal:
    def __init__(self) -> None:
        self.value: str | None = None

    @workflow.signal
    def deliver(self, value: str) -> None:
        self.value = value

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.value is not None)
        return f"got {self.value}"
