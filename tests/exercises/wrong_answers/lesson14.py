# ruff: noqa: E501
"""Lesson 14: a ticket saga that undoes only the completed steps, last first, then fails."""

from wrong_answers import WrongAnswer, solution_with

UNDO_LOOP = "            for undo in reversed(undos):  # the last completed step first\n"
RERAISE = "            raise  # the order failed: say so to the caller\n"
ADD_RELEASE = "            undos.append(release_seat)\n"
ADD_REFUND = "            undos.append(refund_card)\n"
RESERVE = "            await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)\n"
CHARGE = "            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)\n"

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("when send_tickets failed", "Nothing was undone", "ActivityError")

WRONG_ANSWERS = [
    WrongAnswer(
        "the undos in the order the steps ran",
        solution_with("14", (UNDO_LOOP, "            for undo in undos:\n")),
        (
            "expected ['reserve_seat', 'charge_card', 'send_tickets', 'refund_card', 'release_seat']",
            "reversed",
        ),
    ),
    WrongAnswer(
        "the undo added before its step ran: a failed step is undone too",
        solution_with(
            "14", (RESERVE + ADD_RELEASE + CHARGE + ADD_REFUND, ADD_RELEASE + RESERVE + ADD_REFUND + CHARGE)
        ),
        ("when charge_card failed", "refund_card undid a step that never completed"),
    ),
    WrongAnswer(
        "the error swallowed: the order completes after its undo",
        solution_with("14", (RERAISE, "")),
        ("the undo was right", "raise the error again"),
    ),
    WrongAnswer(
        "catching ApplicationError: the activity's failure arrives as ActivityError",
        solution_with(
            "14", ("        except ActivityError:\n", "        except ApplicationError:\n")
        ).replace(
            "from temporalio.exceptions import ActivityError\n",
            "from temporalio.exceptions import ApplicationError\n",
        ),
        ("Nothing was undone", "it reaches the workflow as ActivityError"),
    ),
]

# Written by someone who saw only the exercise's text (the lead's outsider; their file is named in each
# mistake), copied as they wrote it: hence the long lines (E501 off for this file).
OUTSIDER_1 = """\
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        TicketOrder,
        charge_card,
        refund_card,
        release_seat,
        reserve_seat,
        send_tickets,
    )

TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="TicketSaga")
class TicketSagaWorkflow:
    @workflow.run
    async def run(self, order: TicketOrder) -> str:
        undo = []
        try:
            await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)
            undo.append(release_seat)
            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)
            undo.append(refund_card)
            await workflow.execute_activity(send_tickets, order, start_to_close_timeout=TIMEOUT)
        except ActivityError:
            for step in reversed(undo):
                workflow.start_activity(step, order, start_to_close_timeout=TIMEOUT)
            raise
        return f"order {order.order_id} complete"
"""

OUTSIDER_2 = """\
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        TicketOrder,
        charge_card,
        refund_card,
        release_seat,
        reserve_seat,
        send_tickets,
    )

TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="TicketSaga")
class TicketSagaWorkflow:
    @workflow.run
    async def run(self, order: TicketOrder) -> str:
        undo = []
        try:
            await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)
            undo.append(release_seat)
            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)
            undo.append(refund_card)
            await workflow.execute_activity(send_tickets, order, start_to_close_timeout=TIMEOUT)
        except ActivityError as err:
            for step in reversed(undo):
                await workflow.execute_activity(step, order, start_to_close_timeout=TIMEOUT)
            return f"order {order.order_id} failed and was undone: {err}"
        return f"order {order.order_id} complete"
"""

OUTSIDER_3 = """\
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        TicketOrder,
        charge_card,
        refund_card,
        release_seat,
        reserve_seat,
        send_tickets,
    )

TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="TicketSaga")
class TicketSagaWorkflow:
    @workflow.run
    async def run(self, order: TicketOrder) -> str:
        try:
            await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)
            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)
            await workflow.execute_activity(send_tickets, order, start_to_close_timeout=TIMEOUT)
        except ActivityError:
            await workflow.execute_activity(refund_card, order, start_to_close_timeout=TIMEOUT)
            await workflow.execute_activity(release_seat, order, start_to_close_timeout=TIMEOUT)
            raise
        return f"order {order.order_id} complete"
"""

OUTSIDER_4 = """\
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        TicketOrder,
        charge_card,
        refund_card,
        release_seat,
        reserve_seat,
        send_tickets,
    )

TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="TicketSaga")
class TicketSagaWorkflow:
    @workflow.run
    async def run(self, order: TicketOrder) -> str:
        undo = []
        try:
            await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)
            undo.append(release_seat)
            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)
            undo.append(refund_card)
            await workflow.execute_activity(send_tickets, order, start_to_close_timeout=TIMEOUT)
        except ActivityError:
            for step in undo:
                await workflow.execute_activity(step, order, start_to_close_timeout=TIMEOUT)
            raise
        return f"order {order.order_id} complete"
"""

WRONG_ANSWERS += [
    WrongAnswer(
        "outsider-written, lesson14_wrong_5: starts the undos without awaiting them, then fails",
        OUTSIDER_1,
        ("but failed before they completed", "Await each undo"),
    ),
    WrongAnswer(
        "outsider-written, lesson14_wrong_3: undoes, then returns the failure as a result",
        OUTSIDER_2,
        ("the run completed and returned 'order", "raise the error again"),
    ),
    WrongAnswer(
        "outsider-written, lesson14_wrong_1: undoes both steps, whichever had completed",
        OUTSIDER_3,
        (
            "when charge_card failed, the run scheduled ['reserve_seat', 'charge_card', 'refund_card', 'release_seat']",
            "never completed",
        ),
    ),
    WrongAnswer(
        "outsider-written, lesson14_wrong_2: undoes in the order the steps were done",
        OUTSIDER_4,
        ("['reserve_seat', 'charge_card', 'send_tickets', 'release_seat', 'refund_card']", "(reversed)"),
    ),
]

# Right answers from the same outsider (lesson14_right_1): the check must pass them.
RIGHT_ANSWERS = [
    """\
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.sagas import (
        TicketOrder,
        charge_card,
        refund_card,
        release_seat,
        reserve_seat,
        send_tickets,
    )

TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="TicketSaga")
class TicketSagaWorkflow:
    @workflow.run
    async def run(self, order: TicketOrder) -> str:
        await workflow.execute_activity(reserve_seat, order, start_to_close_timeout=TIMEOUT)
        try:
            await workflow.execute_activity(charge_card, order, start_to_close_timeout=TIMEOUT)
            try:
                await workflow.execute_activity(send_tickets, order, start_to_close_timeout=TIMEOUT)
            except Exception:
                await workflow.execute_activity(refund_card, order, start_to_close_timeout=TIMEOUT)
                raise
        except Exception:
            await workflow.execute_activity(release_seat, order, start_to_close_timeout=TIMEOUT)
            raise
        return f"order {order.order_id} complete"
""",
]
