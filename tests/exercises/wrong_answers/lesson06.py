"""Lesson 06: a signal handler named "cast vote" that adds one vote for its option."""

from wrong_answers import WrongAnswer, solution_with

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
