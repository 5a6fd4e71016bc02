"""The solution cell in a real kernel: nothing of the solution until the learner clicks "Show
solution"; then the code, and "Use this solution" makes the check pass in one more click.
``Button.click()`` in the kernel runs the same callbacks as a click in the browser."""

from __future__ import annotations

import json

import pytest
from kernel import Kernel
from nbrun import exercise_source, revealing_lines

from temporal_notebooks.runtime.exercises import exercise_lessons, solution_module

LESSONS = exercise_lessons()

# What the page shows of the widget, as text: its HTML values without tags.
WIDGET_TEXT = """
import html as _html, json as _json, re as _re
def widget_text(box):
    values = [box.code.value, box.status.value]
    return _json.dumps([_html.unescape(_re.sub(r"<[^>]+>", "", v)) for v in values])
"""


@pytest.fixture(scope="module")
async def kernel(run_server):
    async with Kernel() as k:
        await k.ok("from temporal_notebooks.notebook import *\nclient = await connect(quiet=True)")
        await k.ok(WIDGET_TEXT)
        yield k


def shown(text: str) -> tuple[str, str]:
    code, status = json.loads(text.strip().splitlines()[-1])
    return code, status


@pytest.mark.parametrize("lesson", LESSONS)
async def test_the_solution_shows_only_on_click_and_applies_in_one_more(lesson: str, kernel: Kernel) -> None:
    module = solution_module(f"lesson{lesson}")[0]
    await kernel.ok(f"%%module_file {module}\n{exercise_source(lesson, module)}")
    check = (
        f"from temporal_notebooks.exercises import lesson{lesson}\n"
        f"print(repr(await lesson{lesson}.check(client)))"
    )
    assert "❌ Not yet: " in await kernel.ok(check, timeout=120)

    text = await kernel.ok(f'box = solution_button("lesson{lesson}")\nprint(widget_text(box))')
    assert shown(text) == ("", "")
    assert "none" == (await kernel.ok("print(box.use_button.layout.display)")).strip()

    code, _ = shown(await kernel.ok("box.show_button.click()\nprint(widget_text(box))"))
    missing = [line for line in revealing_lines(lesson) if line not in code]
    assert missing == [], f"the revealed solution lacks {missing}"
    assert f"%solution lesson{lesson}" in code  # how to get it as text in a cell instead
    assert "none" == (await kernel.ok("print(box.show_button.layout.display)")).strip()

    _, status = shown(await kernel.ok("box.use_button.click()\nprint(widget_text(box))"))
    assert f"module '{module}' now holds the solution" in status
    assert "✅ Passed: " in await kernel.ok(check, timeout=120)


async def test_typing_percent_solution_still_loads_it_into_the_cell(kernel: Kernel) -> None:
    text = await kernel.ok("%solution lesson01")
    assert "Module 'exercise01' written and imported: ShoutWorkflow" in text
