"""Lesson 05, second exercise: wrong predictions of the event where ShipOrderWithPause stops replaying
a run of version 1, each with the words its "Not yet" must say. (Version 1's history: 1 started,
2-4 first workflow task, 5 charge_payment scheduled, 6-7 its start and result, 8-10 second task,
11 ship_parcel scheduled, ..., 17 completed.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WrongPrediction:
    mistake: str
    predicted: object  # what the learner set predicted_event to
    reasons: tuple[str, ...]


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
