"""Notebook 05's replay theatre in JupyterLab in Chromium, after Run All: step, back, play, a click on an
event and the keys each show the right line and the right event, as the kernel recorded them; nothing
in the widget overflows or is cut (screenshot kept). The tests share one Run All and run in file order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_harness import NotebookPage, dismiss_news_toast
from playwright.async_api import expect
from temporalio.client import Client
from test_page_look import _LAYOUT_PROBLEMS_JS

from temporal_notebooks.runtime import scoped
from temporal_notebooks.runtime.replay import Recording, record_replay
from temporal_notebooks.workflows.determinism import ShipOrderV2

NOTEBOOK = "05_determinism.ipynb"
THEATRE = '.tn-theatre-root[data-workflow="ShipOrderV2"]'

# What the page shows now: the step, the lit line (number and text) and the lit event.
_SHOWN_JS = """(root) => {
    const lit = (kind) => `.tn-theatre-${kind}.tn-theatre-lit, .tn-theatre-${kind}.tn-theatre-lit-diverged`;
    const line = root.querySelector(lit("line"));
    const events = root.querySelectorAll(lit("event"));
    return {
        step: Number(root.dataset.step),
        line: line ? Number(line.dataset.line) : null,
        code: line ? line.querySelector(".tn-theatre-code").textContent.trim() : null,
        events: [...events].map((e) => Number(e.dataset.event)),
        caption: root.querySelector(".tn-theatre-caption").textContent,
    };
}"""


@pytest.fixture(scope="module")
async def recording(client: Client) -> Recording:
    """What the kernel recorded for the notebook's order-1 and version 2, recorded again here."""
    history = await client.get_workflow_handle(scoped("ship-order-1")).fetch_history()
    return await record_replay(history, ShipOrderV2)


async def shown(lesson: NotebookPage) -> dict:
    return await lesson.page.locator(THEATRE).evaluate(_SHOWN_JS)


def expected(recording: Recording, index: int) -> dict:
    step = recording.steps[index]
    code = recording.source[step.line - recording.first_line].strip() if step.line else None
    return {"step": index, "line": step.line, "code": code, "events": [step.event]}


async def assert_shows(lesson: NotebookPage, recording: Recording, index: int) -> None:
    await expect(lesson.page.locator(THEATRE)).to_have_attribute("data-step", str(index))
    now = await shown(lesson)
    assert {k: now[k] for k in ("step", "line", "code", "events")} == expected(recording, index)
    assert now["caption"].startswith(recording.steps[index].caption)


async def test_the_theatre_opens_where_version_2_parts_from_the_history(
    lesson: NotebookPage, recording: Recording
) -> None:
    assert lesson.errors == []
    theatre = lesson.page.locator(THEATRE)
    await expect(theatre).to_have_count(1)
    await theatre.scroll_into_view_if_needed()
    await dismiss_news_toast(lesson.page)
    last = len(recording.steps) - 1
    await assert_shows(lesson, recording, last)
    now = await shown(lesson)
    assert now["events"] == [5] and "check_fraud" in now["code"]
    await expect(theatre.locator(".tn-theatre-divergence")).to_contain_text("[TMPRL1100]")


async def test_back_and_step(lesson: NotebookPage, recording: Recording) -> None:
    theatre = lesson.page.locator(THEATRE)
    last = len(recording.steps) - 1
    for index in range(last - 1, -1, -1):
        await theatre.locator(".tn-theatre-back").click()
        await assert_shows(lesson, recording, index)
    await expect(theatre.locator(".tn-theatre-back")).to_be_disabled()
    assert (await shown(lesson))["code"].startswith("async def run(")
    for index in range(1, last + 1):
        await theatre.locator(".tn-theatre-step").click()
        await assert_shows(lesson, recording, index)


async def test_a_click_on_an_event_jumps_to_it(lesson: NotebookPage, recording: Recording) -> None:
    theatre = lesson.page.locator(THEATRE)
    for event in (1, 4, 3, 5):
        await theatre.locator(f'.tn-theatre-event[data-event="{event}"]').click()
        await assert_shows(lesson, recording, recording.steps.index(recording.step_for_event(event)))
    # Events replay never reached are shown, and a click on one changes nothing.
    await theatre.locator('.tn-theatre-event[data-event="7"]').click()
    await assert_shows(lesson, recording, recording.steps.index(recording.step_for_event(5)))


# Armed before a click: what the page shows in the first animation frame after the click (the frame
# painted next), noted by a listener that runs before the theatre's own.
_ARM_NEXT_FRAME_JS = (
    "(root) => { const shown = "
    + _SHOWN_JS
    + """;
    root.__tnNextFrame = new Promise((resolve) => {
        root.addEventListener("click", () => requestAnimationFrame(() => resolve(shown(root))),
            { capture: true, once: true });
    });
}"""
)


async def test_a_click_shows_its_step_in_the_first_frame_after_it(
    lesson: NotebookPage, recording: Recording
) -> None:
    """Every step is made before the widget is shown: the click's own handler lights the line and the
    event, so the next frame the browser paints shows them (no later frame, no kernel round trip)."""
    theatre = lesson.page.locator(THEATRE)
    step_of = {event: recording.steps.index(recording.step_for_event(event)) for event in (1, 4, 5)}
    clicks = [
        ('.tn-theatre-event[data-event="1"]', step_of[1]),
        (".tn-theatre-step", step_of[1] + 1),
        (".tn-theatre-step", step_of[1] + 2),
        (".tn-theatre-back", step_of[1] + 1),
        ('.tn-theatre-event[data-event="4"]', step_of[4]),
        ('.tn-theatre-event[data-event="5"]', step_of[5]),  # the last step, where the next test starts
    ]
    for selector, index in clicks:
        await theatre.evaluate(_ARM_NEXT_FRAME_JS)
        await theatre.locator(selector).click()
        in_next_frame = await theatre.evaluate("(root) => root.__tnNextFrame")
        assert {k: in_next_frame[k] for k in ("step", "line", "code", "events")} == expected(recording, index)
        assert in_next_frame["caption"].startswith(recording.steps[index].caption)
    assert step_of[5] == len(recording.steps) - 1


async def test_play_shows_every_step_in_order(lesson: NotebookPage, recording: Recording) -> None:
    theatre = lesson.page.locator(THEATRE)
    await theatre.locator(".tn-theatre-speed").select_option(label="4×")
    seen = await theatre.evaluate(
        """(root) => new Promise((resolve) => {
            const steps = [];
            const observer = new MutationObserver(() => {
                const step = Number(root.dataset.step);
                if (steps[steps.length - 1] !== step) steps.push(step);
                if (root.dataset.playing === "no") { observer.disconnect(); resolve(steps); }
            });
            observer.observe(root, { attributes: true, attributeFilter: ["data-step", "data-playing"] });
            root.querySelector(".tn-theatre-play").click();
        })"""
    )
    assert seen == list(range(len(recording.steps)))  # from the first step to the last, none skipped
    await assert_shows(lesson, recording, len(recording.steps) - 1)


async def test_keys_step_and_go_back(lesson: NotebookPage, recording: Recording) -> None:
    theatre = lesson.page.locator(THEATRE)
    last = len(recording.steps) - 1
    await theatre.focus()
    await lesson.page.keyboard.press("ArrowLeft")
    await assert_shows(lesson, recording, last - 1)
    await lesson.page.keyboard.press("Home")
    await assert_shows(lesson, recording, 0)
    await lesson.page.keyboard.press("ArrowRight")
    await assert_shows(lesson, recording, 1)
    await lesson.page.keyboard.press("End")
    await assert_shows(lesson, recording, last)


async def test_nothing_in_the_theatres_overflows(lesson: NotebookPage, tmp_path: Path) -> None:
    for theatre in await lesson.page.locator(".tn-theatre-root").all():
        await theatre.scroll_into_view_if_needed()
        name = await theatre.get_attribute("data-workflow")
        shot = tmp_path / f"theatre-{name}.png"
        await theatre.screenshot(path=str(shot))
        print(f"\n{name}: screenshot {shot}")
    assert await lesson.page.evaluate(_LAYOUT_PROBLEMS_JS) == []
