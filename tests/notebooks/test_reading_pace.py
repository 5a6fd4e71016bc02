"""Every lesson as a learner runs it: one code cell at a time with a pause after each, and the core
path alone (the *(optional)* sections skipped). Each run has a kernel of its own; 01b, which stops and
restarts the dev server, also gets a dev server of its own.

Pauses, chosen by test time (a 10 s pause after each of the ~320 code cells would cost about an hour):

- **10 s** after a cell that leaves something running that later cells depend on: it starts a
  workflow without awaiting its result, clicks a button or schedules background work
  (``ensure_future``/``create_task``), or shows a widget a learner reads and uses before the next
  cell. That is where a demo could depend on the learner being fast: a run started in one cell must
  still be where the prose says when the learner gets to the next (01b's order once finished while
  its learner read §2). 28 of the 323 code cells.
- **1 s** after every other cell: a cell that finished everything it started cannot depend on how
  long the learner reads; the pause keeps cells apart as a person's Shift+Enter does.
- The core-path runs pause 0.2 s: what they test is which cells run, not when.

Measured on the shared 2-core machine: the 15 reading-pace runs took 11 and 16 minutes in one process
(two runs), mostly pauses (little CPU), the 15 core-path runs 2 to 4.5 minutes; each test is one notebook in a
kernel of its own, so xdist (``-n``) spreads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from nbrun import paced_failures, run_at_pace
from test_01b_durable import step_workers

from temporal_notebooks.classroom.catalog import LESSONS
from temporal_notebooks.runtime import devserver

LONG_PAUSE_S = 10.0
SHORT_PAUSE_S = 1.0
CORE_PATH_PAUSE_S = 0.2

LESSON_NAMES = [lesson.number for lesson in LESSONS] + ["instructor"]
LEAVES_RUNNING = re.compile(r"start_workflow\(|signal_with_start|start_child_workflow|start_update\(")
RUNS_IN_BACKGROUND = re.compile(r"\.click\(\)|ensure_future|create_task")
SHOWS_A_WIDGET = re.compile(r"^[^#\n]*(?<!solution)(_panel|live_view|_form|_button|HBox|VBox)\(", re.M)


def reading_pause(source: str) -> float:
    """How long the learner reads after this cell (see the module docstring for why)."""
    started = LEAVES_RUNNING.search(source) and ".result()" not in source
    if started or RUNS_IN_BACKGROUND.search(source) or SHOWS_A_WIDGET.search(source):
        return LONG_PAUSE_S
    return SHORT_PAUSE_S


@pytest.fixture
def kernel_env(request: pytest.FixtureRequest, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """01b stops and restarts the dev server: its kernel gets a server of its own (own state dir and
    ports), so no other test's server goes down; every other lesson uses the test run's server."""
    if request.node.callspec.params["name"] != "01b":
        yield
        return
    monkeypatch.setenv(devserver.HOME_ENV, str(tmp_path))
    port = devserver._free_port()
    ui_port = next(p for p in iter(devserver._free_port, None) if p != port)
    monkeypatch.setenv(devserver.PORT_ENV, str(port))
    monkeypatch.setenv(devserver.UI_PORT_ENV, str(ui_port))
    yield
    devserver.stop()  # while HOME_ENV still points at this state dir


@pytest.mark.parametrize("name", LESSON_NAMES)
async def test_lesson_passes_at_reading_pace(name: str, kernel_env: None) -> None:
    ran = await run_at_pace(name, reading_pause)
    assert paced_failures(ran) == [], f"lesson {name} at reading pace"
    if name == "01b":  # what a slow reader once broke: the worker stopped in the middle of the order
        text = "\n".join(cell.result.text for cell in ran)
        assert "2 of 4 steps done · last event: WorkflowTaskScheduled" in text, text
        first_order = step_workers(text)[0]
        assert first_order[0] == first_order[1] != first_order[2] == first_order[3], first_order


@pytest.mark.parametrize("name", LESSON_NAMES)
async def test_lesson_passes_on_its_core_path_alone(name: str, kernel_env: None) -> None:
    ran = await run_at_pace(name, lambda _: CORE_PATH_PAUSE_S, core_path=True)
    assert paced_failures(ran) == [], f"lesson {name} with its optional sections skipped"
    # Practice is part of the core path: the exercise's check ran (it may say "Not yet"); the start page
    # has a check-yourself cell instead. The instructor view is not a lesson.
    if name == "00":
        (check,) = [cell for cell in ran if "workflow tasks taken by" in cell.source]
        takers = re.search(r"^workflow tasks taken by: (.+)$", check.result.text, re.M)
        pid = re.search(r"^this kernel's process: +(\d+) ", check.result.text, re.M)
        assert takers and pid, check
        assert all(pid[1] in taker for taker in takers[1].split(", ")), check
    elif name != "instructor":
        checks = [cell for cell in ran if ".check(client)" in cell.source]
        assert checks, f"lesson {name}: its core path runs no exercise check"
        assert any(mark in str(checks[-1].result) for mark in ("Not yet", "Passed")), checks[-1]
