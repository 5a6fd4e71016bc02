"""Lesson 05, second exercise: wrong predictions of the event where ShipOrderWithPause stops replaying
a run of version 1, each with the words its "Not yet" must say. (Version 1's history: 1 started,
2-4 first workflow task, 5 charge_payment scheduled, 6-7 its start and result, 8-10 second task,
11 ship_parcel scheduled, ..., 17 completed.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

OUTSIDER_ANSWERS = Path(__file__).parent.parent / "outsider_answers"


@dataclass(frozen=True)
class WrongPrediction:
    mistake: str
    predicted: object  # what the learner set predicted_event to
    reasons: tuple[str, ...]
    author: str = "team"  # "outsider": written by someone who saw only the exercise's text


def outsider_prediction(name: str) -> tuple[str, object]:
    """(intent, predicted value) of the outsider's answer ``name`` (``outsider_answers/<name>.py.txt``)."""
    text = (OUTSIDER_ANSWERS / f"{name}.py.txt").read_text()
    namespace: dict = {}
    exec(text, namespace)  # three lines: two comments and the assignment the learner would run
    return text.splitlines()[0].removeprefix("# intent:").strip(), namespace["predicted_event"]


def outsider_wrong(name: str, *reasons: str) -> WrongPrediction:
    intent, predicted = outsider_prediction(name)
    return WrongPrediction(f"{name}: {intent[:60]}", predicted, reasons, author="outsider")


# The untouched exercise cell: predicted_event = None.
SKELETON_REASONS = ("set predicted_event to a number", "not None")

WRONG_PREDICTIONS = [
    WrongPrediction(
        "the first command (any change breaks at once)",
        5,
        ("event 5 (ActivityTaskScheduled)", "the new code still issues", "replay gets past it"),
    ),
    WrongPrediction(
        "the activity's result (an event the code receives)",
        7,
        ("event 7 (ActivityTaskCompleted) is not a command's event", "the code only receives it"),
    ),
    WrongPrediction(
        "the workflow task that runs the new line",
        10,
        (
            "event 10 (WorkflowTaskCompleted) marks a workflow task",
            "recorded after its WorkflowTaskCompleted",
        ),
    ),
    WrongPrediction(
        "the end of the run (the run's result changes)",
        17,
        ("replay never gets to event 17", "code and history part before it"),
    ),
    WrongPrediction("an event the history does not have", 40, ("there is no event 40", "events 1 to 17")),
    WrongPrediction("the event id as text", "11", ("set predicted_event to a number", "not '11'")),
]

# Written by someone who saw only the exercise's text and what the lesson had shown by then (the history
# table, the two classes), verbatim in tests/exercises/outsider_answers/
WRONG_PREDICTIONS += [
    outsider_wrong("lesson05_prediction_wrong_1", "event 7 (ActivityTaskCompleted) is not a command's event"),
    outsider_wrong("lesson05_prediction_wrong_3", "event 9 (WorkflowTaskStarted) marks a workflow task"),
    outsider_wrong("lesson05_prediction_wrong_4", "event 8 (WorkflowTaskScheduled) marks a workflow task"),
    outsider_wrong("lesson05_prediction_wrong_5", "replay never gets to event 12 (ActivityTaskStarted)"),
    outsider_wrong(
        "lesson05_prediction_wrong_7", "set predicted_event to a number", "not 'ActivityTaskScheduled'"
    ),
    outsider_wrong("lesson05_prediction_wrong_8", "set predicted_event to a number", "not None"),
]
OUTSIDER_RIGHT = ["lesson05_prediction_right_1"]
