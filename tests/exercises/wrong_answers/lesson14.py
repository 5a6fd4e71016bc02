"""Lesson 14: a ticket saga that undoes only the completed steps, last first, then fails."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

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

# Written by someone who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson14_wrong_5", "but failed before they completed", "Await each undo"),
    outsider_wrong("lesson14_wrong_3", "the run completed and returned 'order", "raise the error again"),
    outsider_wrong(
        "lesson14_wrong_1",
        "when charge_card failed, the run scheduled "
        "['reserve_seat', 'charge_card', 'refund_card', 'release_seat']",
        "never completed",
    ),
    outsider_wrong(
        "lesson14_wrong_2",
        "['reserve_seat', 'charge_card', 'send_tickets', 'release_seat', 'refund_card']",
        "(reversed)",
    ),
]

RIGHT_ANSWERS = [outsider_right("lesson14_right_1")]
