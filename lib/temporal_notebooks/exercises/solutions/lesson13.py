%%module_file exercise13
from dataclasses import dataclass

from temporalio import workflow

HISTORY_LIMIT = 30  # events: the exercise's threshold (a real server suggests much later)


@dataclass
class PointsCard:
    owner: str
    points: int = 0


@workflow.defn(name="PointsCard")
class PointsCardWorkflow:
    @workflow.init
    def __init__(self, card: PointsCard) -> None:
        self.card = card
        self.closed = False

    @workflow.run
    async def run(self, card: PointsCard) -> int:
        await workflow.wait_condition(lambda: self.closed or self.history_is_long())
        if self.closed:
            return self.card.points
        workflow.continue_as_new(self.card)  # the next run starts with the card as it is now

    def history_is_long(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= HISTORY_LIMIT

    @workflow.signal
    def add(self, points: int) -> None:
        self.card.points += points

    @workflow.signal
    def close(self) -> None:
        self.closed = True
