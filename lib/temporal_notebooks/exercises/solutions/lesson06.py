%%module_file exercise06
from temporalio import workflow


@workflow.defn(name="Tally")
class TallyWorkflow:
    def __init__(self) -> None:
        self.votes: dict[str, int] = {}
        self.closed = False

    @workflow.run
    async def run(self) -> dict[str, int]:
        await workflow.wait_condition(lambda: self.closed)
        return self.votes

    @workflow.signal
    def close(self) -> None:
        self.closed = True

    @workflow.signal(name="cast vote")
    def cast_vote(self, option: str) -> None:
        self.votes[option] = self.votes.get(option, 0) + 1
