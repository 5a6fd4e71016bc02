"""Notebook 12 (testing your workflows) in a real kernel: twice top to bottom with its key outputs
(pytest's own reports, from ipytest), and as JupyterLab's queued Run All."""

from __future__ import annotations

import re

from nbrun import assert_run_all_queued_ok, passes_with_key_outputs

KEY_OUTPUTS = [
    # 30 days on the time-skipping server, the stand-ins' calls, the activity alone
    "the trial took 30 days by the test server's clock",
    "the workflow asked the stand-ins for: ['email welcome', 'charge ada']",
    "2 passed",
    # a real run on the dev server, its history saved and drawn
    "grace: cancelled during the trial, not charged",
    "history saved: trial-grace-history.json",
    # Grace cancelled while the 30-day timer ran: the history holds the timer the replay section names
    "TimerStarted",
    "TimerCanceled",
    "open in the Temporal Web UI",
    "<svg",
    # the replay: today's code replays, the reminding version fails with a nondeterminism error
    "FAILED",
    "test_grace_s_trial_replays_on_the_reminding_version",
    "NondeterminismError",
    "1 failed, 1 passed",
    # the replay theatre opens where the new version parts from Grace's history
    "Replay theatre: RemindingTrialWorkflow parts from the history at event ",
    "the code issued schedule activity send_email at line ",
    # the exercise: the skeleton's test passes on the buggy code and the check says so; the solution
    # catches the bug
    "❌ Not yet: your tests pass on RefactoredTrialWorkflow too",
]


async def test_notebook_12_runs_twice_with_its_key_outputs() -> None:
    for _number, text, _nb in await passes_with_key_outputs("12", KEY_OUTPUTS):
        # Every %%ipytest cell but the replay's (one test fails there on purpose) passed.
        reports = re.findall(r"^(\d+ failed, )?(\d+) passed", text, re.M)
        assert len(reports) == 6, reports
        assert [failed for failed, _ in reports].count("1 failed, ") == 1, reports


async def test_notebook_12_queued_run_all_is_ok() -> None:
    await assert_run_all_queued_ok("12")
