"""Lesson 05's prediction exercise (where does a change break replay?) is checked by the replay
theatre's own result on the real dev server: the right event passes, each wrong prediction is refused
with a "Not yet" that says what that event is, and the notebook's untouched cell is refused."""

from __future__ import annotations

import pytest
from nbrun import notebook_path
from temporalio.client import Client
from wrong_answers.lesson05_prediction import (
    OUTSIDER_RIGHT,
    SKELETON_REASONS,
    WRONG_PREDICTIONS,
    WrongPrediction,
    outsider_prediction,
)

from temporal_notebooks.exercises import lesson05_prediction
from temporal_notebooks.runtime.replay import record_replay
from temporal_notebooks.workflows.determinism import ShipOrderWithPause


@pytest.mark.parametrize("wrong", WRONG_PREDICTIONS, ids=[w.mistake for w in WRONG_PREDICTIONS])
async def test_a_wrong_prediction_is_refused_and_told_why(
    wrong: WrongPrediction, notebook_client: Client
) -> None:
    result = await lesson05_prediction.check_prediction(notebook_client, wrong.predicted)
    assert not result.passed, result.message
    assert repr(result).startswith("❌ Not yet: ")
    missing = [word for word in wrong.reasons if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


async def test_the_event_the_theatre_stops_at_passes(notebook_client: Client) -> None:
    history = await lesson05_prediction.record_version_one(notebook_client)
    stops_at = (await record_replay(history, ShipOrderWithPause)).divergence["event"]
    assert stops_at == 11  # ship_parcel's ActivityTaskScheduled: the new code starts a timer there
    result = await lesson05_prediction.check_prediction(notebook_client, stops_at, history)
    assert result.passed, result.message
    assert "event 11 (ActivityTaskScheduled)" in result.message and "start timer 1 s" in result.message


async def test_the_notebooks_untouched_prediction_is_refused(notebook_client: Client) -> None:
    import nbformat

    cells = nbformat.read(notebook_path("05"), as_version=4).cells
    cell = next(c.source for c in cells if c.source.startswith("predicted_event ="))
    namespace: dict = {}
    exec(cell, namespace)
    result = await lesson05_prediction.check_prediction(notebook_client, namespace["predicted_event"])
    assert not result.passed
    missing = [word for word in SKELETON_REASONS if word not in result.message]
    assert missing == [], f"the message {result.message!r} lacks {missing}"


def test_three_wrong_predictions_come_from_an_outsider() -> None:
    assert len([w for w in WRONG_PREDICTIONS if w.author == "outsider"]) >= 3


@pytest.mark.parametrize("name", OUTSIDER_RIGHT)
async def test_the_outsiders_right_prediction_passes(name: str, notebook_client: Client) -> None:
    result = await lesson05_prediction.check_prediction(notebook_client, outsider_prediction(name)[1])
    assert result.passed, result.message
