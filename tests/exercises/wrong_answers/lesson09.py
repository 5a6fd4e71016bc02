"""Lesson 09: one dynamic activity for upper/lower/title that refuses other names, non-retryable."""

from wrong_answers import WrongAnswer, solution_with

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
