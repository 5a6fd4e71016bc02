"""Lesson 01b: predict which steps run again after the worker stops mid-payment (take_payment only)."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong

SKELETON_REASONS = ("replace {'TODO'}",)


def prediction(value: str) -> str:
    return f"runs_again = {value}\n"


WRONG_ANSWERS = [
    WrongAnswer("left the skeleton", prediction('{"TODO"}'), ("replace {'TODO'}",)),
    WrongAnswer(
        "nothing runs again",
        prediction("set()"),
        ("take_payment was running when the worker stopped", "ran again", "take_payment ran 2×"),
    ),
    WrongAnswer(
        "everything done so far runs again",
        prediction('{"reserve_items", "take_payment"}'),
        ("reserve_items had completed before the worker stopped", "instead of running it again"),
    ),
    WrongAnswer(
        "the whole order starts over",
        prediction('{"reserve_items", "take_payment", "pack_and_ship", "email_receipt"}'),
        ("reserve_items had completed", "pack_and_ship had not started", "running on, not running again"),
    ),
    WrongAnswer(
        "the steps after the stop",
        prediction('{"pack_and_ship", "email_receipt"}'),
        ("email_receipt had not started", "take_payment was running when the worker stopped"),
    ),
    WrongAnswer("a misspelt step", prediction('{"take_paymnt"}'), ("'take_paymnt' is not a step",)),
    WrongAnswer("a number instead of names", prediction("2"), ("should be a set of step names",)),
    WrongAnswer("no prediction at all", "# I am not sure\n", ("has no runs_again",)),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson01b_wrong_1", "Worker.shutdown() cancelled it", "It ran again"),
    outsider_wrong("lesson01b_wrong_2", "its result is in the event history"),
    outsider_wrong("lesson01b_wrong_3", "reserve_items had completed", "email_receipt had not started"),
    outsider_wrong("lesson01b_wrong_4", "pack_and_ship had not started", "email_receipt had not started"),
    outsider_wrong("lesson01b_wrong_6", "'_', 'a', 'e'", "is not a step"),
]

RIGHT_ANSWERS = [
    outsider_right("lesson01b_right_1"),
    outsider_right("lesson01b_right_2"),
    # The outsider marked this one wrong (a list where the text says a set), but the exercise asks for
    # a prediction, and the prediction is right: the check judges the steps named, in any collection.
    outsider_right("lesson01b_wrong_5"),
]
