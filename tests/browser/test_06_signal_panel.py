"""Notebook 06 in JupyterLab in Chromium: the signal panel used by a person.

Run All ends the lesson panel's workflow (its "Exit" cell), so that panel's buttons must be disabled
with the reason beside them; the learner's own panel below it stays live: names typed and sent at once
(by click or Enter, one of them 3000 characters long) are greeted in order, each for its own text, and
"Exit" disables the panel. The tests share one Run All and run in file order.
"""

from __future__ import annotations

from browser_harness import NotebookPage, dismiss_news_toast, timed_click
from playwright.async_api import expect
from temporalio.client import Client

from temporal_notebooks.runtime import scoped
from temporal_notebooks.workflows.signals import GreeterWorkflow

NOTEBOOK = "06_signals.ipynb"
CLOSED_REASON = "The workflow is closed (completed): it takes no more signals."


def live_panel(lesson: NotebookPage):
    return lesson.page.locator(".tn-signal-panel").last


async def test_signal_panel_click_shows_new_state(lesson: NotebookPage, client: Client) -> None:
    assert lesson.errors == []
    page = lesson.page
    # Two panels: the lesson's (its workflow closed by the "Exit" cell) and the learner's own, live one.
    panels = page.locator(".tn-signal-panel")
    await expect(panels).to_have_count(2)
    closed_panel = panels.first
    await expect(closed_panel.locator(".tn-closed-reason")).to_have_text(CLOSED_REASON)
    for button in await closed_panel.locator(".tn-signal-button").all():
        await expect(button).to_be_disabled()
    panel = live_panel(lesson)
    await panel.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    state_view = panel.locator(".tn-state-view")
    text_box = panel.locator(".tn-signal-text input")
    greet = panel.locator(".tn-signal-button.tn-signal-greet")
    await expect(state_view).not_to_contain_text("waiting for the first query")

    await text_box.fill("Lin")
    milliseconds = await timed_click(
        page, greet, ".tn-signal-panel .tn-state-view", "return node.textContent.includes('Hello, Lin!');"
    )
    await expect(state_view).to_contain_text("Hello, Lin!")
    print(f"signal panel, click → new state on the page: {milliseconds:.0f} ms")

    # The workflow on the server holds what the page shows.
    greeter = client.get_workflow_handle(scoped("greeter-playground"))
    state = await greeter.query(GreeterWorkflow.state)
    assert state.greetings == ["Hello, Lin!"]


async def test_names_sent_the_moment_they_are_typed_are_greeted_in_order(
    lesson: NotebookPage, client: Client
) -> None:
    """Fill and send with no pause, alternating a click and Enter: each greeting is for the name in
    the box at that moment (the race of issue 9 sent the previous one again)."""
    panel = live_panel(lesson)
    text_box = panel.locator(".tn-signal-text input")
    greet = panel.locator(".tn-signal-button.tn-signal-greet")
    state_view = panel.locator(".tn-state-view")
    names = [f"Learner{i}" for i in range(20)]
    names.insert(10, "L" + "o" * 2998 + "ng")  # 3000 characters: sent, not "type something first"
    for i, name in enumerate(names):
        await text_box.fill(name)
        if i % 2:
            await text_box.press("Enter")
        else:
            await greet.click()
        await expect(state_view).to_contain_text(f"Hello, {name}!")
    greeter = client.get_workflow_handle(scoped("greeter-playground"))
    state = await greeter.query(GreeterWorkflow.state)
    assert state.greetings == ["Hello, Lin!"] + [f"Hello, {name}!" for name in names]


# Two names typed and sent by Enter in one go: the second Enter comes while the first is pending.
_TWO_ENTERS_JS = """(input) => {
    for (const name of ["Quick1", "Quick2"]) {
        input.value = name;
        input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    }
    return input.closest(".tn-action-bar").dataset.queued;
}"""


async def test_an_enter_pressed_while_the_last_name_is_pending_is_sent_after_it(
    lesson: NotebookPage, client: Client
) -> None:
    """A learner who sees the answer and sends the next name at once (CI found Enter dropped while the
    previous click's answer was still on its way)."""
    panel = live_panel(lesson)
    text_box = panel.locator(".tn-signal-text input")
    # The last test's last press answered (its greeting can show before its answer reaches the page).
    await expect(panel.locator(".tn-action-bar[data-state]")).to_have_attribute("data-state", "ready")
    queued = await text_box.evaluate(_TWO_ENTERS_JS)
    assert queued == "1", "the second Enter should wait for the first one's answer"
    await expect(panel.locator(".tn-state-view")).to_contain_text("Hello, Quick2!")
    greeter = client.get_workflow_handle(scoped("greeter-playground"))
    state = await greeter.query(GreeterWorkflow.state)
    assert state.greetings[-2:] == ["Hello, Quick1!", "Hello, Quick2!"]


# Each label of the state table on one line, and no cell wider than its box.
_STATE_TABLE_PROBLEMS_JS = """(view) => {
    const problems = [];
    for (const th of view.querySelectorAll("th")) {
        const range = document.createRange();
        range.selectNodeContents(th);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        if (lines !== 1) problems.push(`label "${th.textContent}" takes ${lines} lines`);
    }
    for (const cell of view.querySelectorAll("table, td, th")) {
        if (cell.scrollWidth > cell.clientWidth + 1) {
            problems.push(`${cell.tagName} overflows: ${cell.scrollWidth} px in ${cell.clientWidth} px`);
        }
    }
    return problems;
}"""


async def test_a_long_name_wraps_in_its_value_and_the_labels_keep_their_line(lesson: NotebookPage) -> None:
    """The walk's finding: a 2,400-character name squeezed the state table's labels to a letter per line."""
    panel = live_panel(lesson)
    state_view = panel.locator(".tn-state-view")
    await expect(state_view).to_contain_text("Hello, Loooo")  # the previous test's 3000-character name
    assert await state_view.locator("th").count() >= 2
    assert await state_view.evaluate(_STATE_TABLE_PROBLEMS_JS) == []


async def test_exit_disables_the_panel_with_the_reason(lesson: NotebookPage, client: Client) -> None:
    panel = live_panel(lesson)
    await panel.locator(".tn-signal-button.tn-signal-exit").click()
    await expect(panel.locator(".tn-closed-reason")).to_have_text(CLOSED_REASON)
    for button in await panel.locator(".tn-signal-button").all():
        await expect(button).to_be_disabled()
    await expect(panel.locator(".tn-signal-text input")).to_be_disabled()
    await expect(panel.locator(".tn-closed-badge")).to_have_text("workflow completed")
    greeter = client.get_workflow_handle(scoped("greeter-playground"))
    assert len(await greeter.result()) == 24  # Lin, the 21 names typed, and the two quick ones
