"""Lesson 06: a signal handler named "cast vote" that adds one vote for its option."""

from wrong_answers import RightAnswer, WrongAnswer, outsider_right, outsider_wrong, solution_with

NAMED = '@workflow.signal(name="cast vote")'
COUNT = "self.votes[option] = self.votes.get(option, 0) + 1"

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ('no signal named "cast vote"',)

WRONG_ANSWERS = [
    WrongAnswer(
        "no custom name: the signal is called cast_vote",
        solution_with("06", (NAMED, "@workflow.signal")),
        ('no signal named "cast vote" (its signals: cast_vote, close)', '@workflow.signal(name="cast vote")'),
    ),
    WrongAnswer(
        "the count set to 1 instead of adding one",
        solution_with("06", (COUNT, "self.votes[option] = 1")),
        ("returned {'coffee': 1, 'tea': 1}", "add one to its option's count"),
    ),
    WrongAnswer(
        "the vote returned instead of recorded",
        solution_with("06", (COUNT, "return {option: self.votes.get(option, 0) + 1}")),
        ("returned {}", "a signal's return value goes nowhere", "self.votes"),
    ),
    WrongAnswer(
        "self.votes reset at the start of run()",
        solution_with(
            "06",
            (
                "    async def run(self) -> dict[str, int]:\n",
                "    async def run(self) -> dict[str, int]:\n        self.votes = {}\n",
            ),
        ),
        (
            "The first vote (coffee, sent with Signal-With-Start) was lost",
            "Signal-With-Start",
            "never reset it in run()",
        ),
    ),
    WrongAnswer(
        "a typo in the handler",
        solution_with("06", (COUNT, "self.votes[option] = self.votez.get(option, 0) + 1")),
        ("running it failed", "votez"),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson06_wrong_1", 'no signal named "cast vote" (its signals: cast_vote, close)'),
    outsider_wrong("lesson06_wrong_2", "the workflow code raised: 'coffee'"),
    outsider_wrong("lesson06_wrong_3", "{'coffee': 1, 'tea': 1}", "Each option counts once"),
    outsider_wrong("lesson06_wrong_4", "The first vote (coffee, sent with Signal-With-Start) was lost"),
    outsider_wrong("lesson06_wrong_5", 'no signal named "cast vote" (its signals: close)'),
    outsider_wrong(
        "lesson06_wrong_6", "signals named 'vote' and 'cast_vote' were counted", "A dynamic handler"
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson06_right_1"), outsider_right("lesson06_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
RIGHT_ANSWERS += [
    RightAnswer(
        'a dynamic signal handler that counts only "cast vote"',
        solution_with(
            "06",
            (
                '@workflow.signal(name="cast vote")\n    def cast_vote(self, option: str) -> None:\n'
                "        self.votes[option] = self.votes.get(option, 0) + 1",
                "@workflow.signal(dynamic=True)\n"
                "    def any_signal(self, name: str, args: Sequence[RawValue]) -> None:\n"
                '        if name == "cast vote":\n'
                "            option = workflow.payload_converter().from_payload(args[0].payload, str)\n"
                "            self.votes[option] = self.votes.get(option, 0) + 1",
            ),
            (
                "from temporalio import workflow\n",
                "from collections.abc import Sequence\n\n"
                "from temporalio import workflow\nfrom temporalio.common import RawValue\n",
            ),
        ),
    ),
]
