"""Lesson 17 exercise: the next stage of a patch, ``patched`` → ``deprecate_patch``.

The "Renewal" workflow deployed today (``RenewalPatched``) chooses the loyalty discount with
``workflow.patched("loyalty-discount")``, and every renewal started before that patch has closed.
The learner writes the next stage in a ``%%module_file exercise17`` cell. The check runs the
learner's code once (the discount, the charge, the receipt, in that order), replays a renewal
recorded by today's code with it, and replays the learner's run with the learner's code and with
the stage after it, where the call is gone (``RenewalPatchRemoved``). A ``patched`` call kept
records a marker that stage cannot replay: that is what ``deprecate_patch`` is for.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from temporal_notebooks.activities.versioning import RENEWAL_ACTIVITIES
from temporal_notebooks.runtime.exercises import (
    CheckResult,
    failure_text,
    learner_workflow,
    not_yet,
    passed,
    run_exercise,
)
from temporal_notebooks.workflows.versioning import RenewalPatched, RenewalPatchRemoved

MODULE = "exercise17"
TYPE_NAME = "Renewal"
PATCH = "loyalty-discount"
CUSTOMER = "ada"
NEW_ORDER = ["apply_loyalty_discount", "charge_renewal", "send_receipt"]
LIVE_MARKER = "Non-deprecated patch marker"  # what Core says of a patched() marker the code has no call for


async def replay_failure(workflow_class: type, history: WorkflowHistory) -> BaseException | None:
    replay = await Replayer(workflows=[workflow_class]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    return replay.replay_failure


async def check(client: Client) -> CheckResult:
    """Pass when a new renewal of the learner's "Renewal" runs the discount, the charge and the
    receipt, a renewal recorded by RenewalPatched replays with the learner's code, and the new
    renewal replays with the learner's code and with RenewalPatchRemoved."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    mine = await run_exercise(client, workflow_class, CUSTOMER, activities=RENEWAL_ACTIVITIES)
    if mine.error is not None or mine.history is None:
        return not_yet(
            f"running your workflow failed: {failure_text(mine.error or RuntimeError('no history'))}"
        )
    order = mine.activity_types
    if "apply_loyalty_discount" not in order:
        return not_yet(
            f"a new renewal ran {order}: it skipped the discount. From now on every renewal gets it, with "
            "no condition (and deprecate_patch returns None: it cannot be the condition)."
        )
    if order != NEW_ORDER:
        return not_yet(f"a new renewal ran the activities {order}; expected {NEW_ORDER}.")
    today = await run_exercise(client, RenewalPatched, CUSTOMER, activities=RENEWAL_ACTIVITIES)
    if today.history is None:
        return not_yet(f"recording a renewal of today's code failed: {failure_text(today.error)}")
    failure = await replay_failure(workflow_class, today.history)
    if failure is not None:
        reason = failure_text(failure)
        if LIVE_MARKER in reason:
            return not_yet(
                f'a renewal recorded by today\'s code has a "{PATCH}" patch marker before its first step, '
                f"and your code makes no call for it there ({reason}). Those renewals may still be open: "
                "keep the call where `patched` was, as "
                f'`workflow.deprecate_patch("{PATCH}")` with the same id.'
            )
        return not_yet(
            f"a renewal recorded by today's code (RenewalPatched) cannot continue on your code: {reason} "
            "Every renewal it recorded took the discount: yours must take the same steps."
        )
    own = await replay_failure(workflow_class, mine.history)
    if own is not None:
        return not_yet(f"a renewal recorded by your own code does not replay with it: {failure_text(own)}")
    after = await replay_failure(RenewalPatchRemoved, mine.history)
    if after is not None:
        reason = failure_text(after)
        if LIVE_MARKER in reason:
            return not_yet(
                "a renewal your code records has a patch marker that is not deprecated, so the next stage, "
                f"with the call gone, cannot replay it ({reason}). `workflow.patched(...)` records that "
                "marker even with no `else` left; "
                f'`workflow.deprecate_patch("{PATCH}")` records one the next stage accepts.'
            )
        return not_yet(f"a renewal your code records does not replay on the next stage: {reason}")
    return passed(
        "a renewal recorded by today's code replays with yours; a new renewal runs "
        + " → ".join(order)
        + ", and replays with your code and with the next stage, where the call is gone."
    )
