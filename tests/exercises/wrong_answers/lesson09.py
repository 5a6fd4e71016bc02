"""Lesson 09: one dynamic activity for upper/lower/title that refuses other names, non-retryable."""

from wrong_answers import WrongAnswer, outsider_right, outsider_wrong, solution_with

REFUSAL = "raise ApplicationError(f\"no text tool named '{name}'\", non_retryable=True)"
TOOLS_BLOCK = """    if name not in TOOLS:
        raise ApplicationError(f"no text tool named '{name}'", non_retryable=True)
    return TOOLS[name](text)"""

# What the check says about the notebook's untouched exercise cell.
SKELETON_REASONS = ("steps ['upper'] on 'hello wORLD' gave 'TODO'; expected 'HELLO WORLD'",)

WRONG_ANSWERS = [
    WrongAnswer(
        "unknown names refused with a retryable error",
        solution_with("09", (REFUSAL, "raise ApplicationError(f\"no text tool named '{name}'\")")),
        (
            "the step 'explode' failed with a retryable ApplicationError",
            "tried it 3 times",
            "non_retryable=True",
        ),
    ),
    WrongAnswer(
        "any str method accepted through getattr",
        solution_with("09", (TOOLS_BLOCK, "    return getattr(str, name)(text)")),
        ("the step 'explode' failed with a retryable AttributeError", "tried it 3 times"),
    ),
    WrongAnswer(
        "any str method accepted, unknown ones refused properly",
        solution_with(
            "09",
            (
                TOOLS_BLOCK,
                """    if not hasattr(str, name):
        raise ApplicationError(f"no text tool named '{name}'", non_retryable=True)
    return getattr(str, name)(text)""",
            ),
        ),
        ("a step named 'swapcase' returned 'HELLO World'", "only upper, lower, title are tools"),
    ),
    WrongAnswer(
        "an error text returned instead of raised",
        solution_with("09", (REFUSAL, "return f\"no text tool named '{name}'\"")),
        ("a step named 'explode' returned \"no text tool named 'explode'\"", "refuse any other name"),
    ),
    WrongAnswer(
        "a refusal that does not name the step",
        solution_with("09", (REFUSAL, 'raise ApplicationError("unknown tool", non_retryable=True)')),
        ("the step 'explode' failed, but its message ('unknown tool') does not name the step",),
    ),
    WrongAnswer(
        "the argument used without decoding it",
        solution_with("09", ("return TOOLS[name](text)", "return TOOLS[name](args[0])")),
        ("steps ['upper'] on 'hello wORLD' failed", "Decode the argument first"),
    ),
    WrongAnswer(
        "a fixed name instead of dynamic=True",
        solution_with("09", ("@activity.defn(dynamic=True)", '@activity.defn(name="upper")')),
        ("registered under the fixed name 'upper'", "dynamic=True"),
    ),
    WrongAnswer(
        "unknown names passed through unchanged",
        solution_with(
            "09",
            ("    if name not in TOOLS:\n", "    if False:\n"),
            ("    return TOOLS[name](text)", "    return TOOLS.get(name, str)(text)"),
        ),
        ("a step named 'explode' returned 'hello wORLD'", "refuse any other name"),
    ),
]


# Written by an outsider who saw only the exercise's text (tests/exercises/outsider_answers/).
WRONG_ANSWERS += [
    outsider_wrong("lesson09_wrong_1", "a retryable AttributeError", "tried it 3 times"),
    outsider_wrong("lesson09_wrong_2", "a retryable ApplicationError", "non_retryable=True"),
    outsider_wrong("lesson09_wrong_3", "does not name the step"),
    outsider_wrong("lesson09_wrong_4", "gave '\"HELLO WORLD\"'"),
    outsider_wrong("lesson09_wrong_5", "gave 'Hello world'; expected 'Hello World'"),
    outsider_wrong("lesson09_wrong_6", "a step named 'explode' returned 'hello wORLD'"),
]

RIGHT_ANSWERS = [outsider_right("lesson09_right_1"), outsider_right("lesson09_right_2")]


# The kinds of gap an outsider found (issue 18), as the team's own cases.
WRONG_ANSWERS += [
    WrongAnswer(
        "the payload decoded by hand, quotes stripped",
        solution_with(
            "09",
            (
                "activity.payload_converter().from_payload(args[0].payload, str)",
                "args[0].payload.data.decode().strip('\"')",
            ),
        ),
        ("on 'say \"grüß dich\" to Zoë' gave", "expected 'SAY \"GRÜSS DICH\" TO ZOË'"),
    ),
    WrongAnswer(
        "upper and lower by hand, for ASCII letters only",
        solution_with(
            "09",
            (
                'TOOLS = {"upper": str.upper, "lower": str.lower, "title": str.title}',
                "def _shift(text: str, start: str, end: str, by: int) -> str:\n"
                '    return "".join(chr(ord(c) + by) if start <= c <= end else c for c in text)\n\n\n'
                'TOOLS = {"upper": lambda t: _shift(t, "a", "z", -32), '
                '"lower": lambda t: _shift(t, "A", "Z", 32), '
                '"title": str.title}',
            ),
        ),
        ("steps ['upper'] on 'say \"grüß dich\" to Zoë' gave",),
    ),
]
