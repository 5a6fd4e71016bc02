%%module_file exercise07
from datetime import timedelta

from temporalio import workflow


@workflow.defn(name="Countdown")
class CountdownWorkflow:
    def __init__(self) -> None:
        self.left = 0

    @workflow.run
    async def run(self, start: int) -> str:
        self.left = start
        while self.left > 0:
            await workflow.sleep(timedelta(seconds=0.3))
            self.left -= 1
        return "liftoff"

    @workflow.query(name="steps left")
    def steps_left(self) -> int:
        return self.left
