# ruff: noqa: E501
"""Lesson 13: a points card that continues as new at HISTORY_LIMIT events, carrying its card."""

from wrong_answers import WrongAnswer, solution_with

WAIT = "        await workflow.wait_condition(lambda: self.closed or self.history_is_long())\n"
RETURN_IF_CLOSED = """        if self.closed:
            return self.card.points
"""
CONTINUE = "        workflow.continue_as_new(self.card)  # the next run starts with the card as it is now\n"

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("all 60 signals landed in one run", "workflow.continue_as_new(...)")

WRONG_ANSWERS = [
    WrongAnswer(
        "a fresh card for the next run: the points are lost",
        solution_with(
            "13", (CONTINUE, "        workflow.continue_as_new(PointsCard(owner=self.card.owner))\n")
        ),
        ("expected 65", "run 2: 0", "pass self.card"),
    ),
    WrongAnswer(
        "continue_as_new() with no arguments",
        solution_with("13", (CONTINUE, "        workflow.continue_as_new()\n")),
        ("cannot start its work", "missing 1 required positional argument", "pass the card"),
    ),
    WrongAnswer(
        "continues as new even after close",
        solution_with("13", (RETURN_IF_CLOSED, "")),
        ("no result within", "even after close"),
    ),
    WrongAnswer(
        "the history checked once, before waiting",
        solution_with(
            "13",
            (
                WAIT + RETURN_IF_CLOSED + CONTINUE,
                "        if self.history_is_long():\n"
                "            workflow.continue_as_new(self.card)\n"
                "        await workflow.wait_condition(lambda: self.closed)\n"
                "        return self.card.points\n",
            ),
        ),
        ("landed in one run, whose history grew to", "Wait until the card is closed OR its history is long"),
    ),
]

# Written by someone who saw only the exercise's text (the lead's outsider; their file is named in each
# mistake), copied as they wrote it: hence the long lines (E501 off for this file).
OUTSIDER_1 = """\
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
        await workflow.wait_condition(lambda: self.closed or workflow.info().get_current_history_length() >= HISTORY_LIMIT or workflow.info().is_continue_as_new_suggested())
        if workflow.info().get_current_history_length() >= HISTORY_LIMIT or workflow.info().is_continue_as_new_suggested():
            workflow.continue_as_new(self.card)
        return self.card.points

    @workflow.signal
    def add(self, points: int) -> None:
        self.card.points += points

    @workflow.signal
    def close(self) -> None:
        self.closed = True
"""

OUTSIDER_2 = """\
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
        await workflow.wait_condition(lambda: self.closed or workflow.info().get_current_history_length() >= HISTORY_LIMIT or workflow.info().is_continue_as_new_suggested())
        if self.closed:
            return self.card.points
        workflow.continue_as_new(self.card.points)

    @workflow.signal
    def add(self, points: int) -> None:
        self.card.points += points

    @workflow.signal
    def close(self) -> None:
        self.closed = True
"""

OUTSIDER_3 = """\
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
        await workflow.wait_condition(lambda: self.closed or workflow.info().get_current_history_length() >= HISTORY_LIMIT or workflow.info().is_continue_as_new_suggested())
        if self.closed:
            return self.card.points
        workflow.continue_as_new(PointsCard(self.card.owner, self.card.points + card.points))

    @workflow.signal
    def add(self, points: int) -> None:
        self.card.points += points

    @workflow.signal
    def close(self) -> None:
        self.closed = True
"""

OUTSIDER_4 = """\
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
        await workflow.wait_condition(lambda: self.closed or workflow.info().is_continue_as_new_suggested())
        if self.closed:
            return self.card.points
        workflow.continue_as_new(self.card)

    @workflow.signal
    def add(self, points: int) -> None:
        self.card.points += points

    @workflow.signal
    def close(self) -> None:
        self.closed = True
"""

WRONG_ANSWERS += [
    WrongAnswer(
        "outsider-written, lesson13_wrong_4: continues as new on a long history even after close",
        OUTSIDER_1,
        ("no result within", "close together with a long history"),
    ),
    WrongAnswer(
        "outsider-written, lesson13_wrong_5: carries only the number of points, not the card",
        OUTSIDER_2,
        ("cannot start its work", "Failed decoding arguments"),
    ),
    WrongAnswer(
        "outsider-written, lesson13_wrong_6: adds the run's starting points again when continuing",
        OUTSIDER_3,
        ("expected 65", "More points than were added", "add nothing to it"),
    ),
    WrongAnswer(
        "outsider-written, lesson13_wrong_3: relies on the server's suggestion alone",
        OUTSIDER_4,
        (
            "all 60 signals landed in one run, whose history grew to",
            "get_current_history_length() >= HISTORY_LIMIT",
        ),
    ),
]

# Right answers from the same outsider (lesson13_right_1): the check must pass them.
RIGHT_ANSWERS = [
    """\
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
        def history_is_long() -> bool:
            info = workflow.info()
            return info.get_current_history_length() >= HISTORY_LIMIT or info.is_continue_as_new_suggested()

        await workflow.wait_condition(lambda: self.closed or history_is_long())
        if not self.closed:
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(args=[self.card])
        return self.card.points

    @workflow.signal
    def add(self, points: int) -> None:
        self.card.points += points

    @workflow.signal
    def close(self) -> None:
        self.closed = True
""",
]
