"""Notebook 08 in JupyterLab in Chromium: Run All, then a person's use of the update form.

A value the validator refuses shows its reason on the page; a good value shows the update's result;
every submission (click or Enter, typed with no pause) is answered for the text it was sent with; a
double click or a double Enter at a person's speed (80–250 ms apart) sends once, the same add a
second later adds again; once the cart's workflow closes the button is disabled with the reason shown.
The tests share one Run All and run in file order.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from browser_harness import NotebookPage, dismiss_news_toast, timed_click
from playwright.async_api import expect
from temporalio.client import Client

from temporal_notebooks.activities.updates import CartSummary
from temporal_notebooks.runtime import scoped
from temporal_notebooks.workflows.updates import CartWorkflow

NOTEBOOK = "08_updates.ipynb"
REJECTION = "✗ Rejected: 'durian' is not sold here: choose one of apple, bread, coffee, milk"
AFTER_RUN_ALL = "✓ In the cart: 2 × apple: 1.00 €"  # the notebook's own by-code cell added 2 apples
AFTER_BREAD = "✓ In the cart: 2 × apple, 1 × bread: 3.50 €"

# The number of answers shown so far, and a wait for the next one (not the "sending…" line).
_SEQ_JS = "(node) => Number(node.querySelector('[data-seq]')?.dataset.seq ?? -1)"
_ANSWERED_JS = """([node, seq]) => {
    const answer = node.querySelector('[data-seq]');
    return !!answer && Number(answer.dataset.seq) > seq && answer.dataset.status !== 'pending';
}"""


def form_parts(lesson: NotebookPage):
    page = lesson.page
    return (
        page.locator(".tn-update-input input"),
        page.locator(".tn-update-submit"),
        page.locator(".tn-update-result"),
    )


async def answer_to(lesson: NotebookPage, text: str, *, enter: bool) -> str:
    """Type ``text`` and submit it at once (Enter or a click); the answer shown for it."""
    form_input, submit, result = form_parts(lesson)
    seq = await result.evaluate(_SEQ_JS)
    await form_input.fill(text)
    if enter:
        await form_input.press("Enter")
    else:
        await submit.click()
    handle = await result.element_handle()
    await lesson.page.wait_for_function(_ANSWERED_JS, arg=[handle, seq], polling="raf")
    return (await result.text_content()).strip()


async def cart_items(client: Client) -> dict[str, int]:
    cart = client.get_workflow_handle(scoped("cart-form"))
    return (await cart.query(CartWorkflow.summary, result_type=CartSummary)).items


async def test_update_form_shows_rejection_then_result(lesson: NotebookPage, client: Client) -> None:
    assert lesson.errors == []
    page = lesson.page
    form_input, submit, result = form_parts(lesson)
    await expect(form_input).to_have_count(1)
    await form_input.scroll_into_view_if_needed()
    await dismiss_news_toast(page)
    await expect(result).to_have_text(AFTER_RUN_ALL)

    # A person types a value the validator refuses and clicks.
    await form_input.fill("durian")
    await submit.click()
    await expect(result).to_have_text(REJECTION)

    # A good value, clicked the moment it is typed: the update's result appears. Timed in the page.
    await form_input.fill("bread 1")
    milliseconds = await timed_click(
        page, submit, ".tn-update-result", "return node.textContent.includes('1 × bread');"
    )
    await expect(result).to_have_text(AFTER_BREAD)
    print(f"update form, click → result on the page: {milliseconds:.0f} ms")
    assert await cart_items(client) == {"apple": 2, "bread": 1}


async def test_fifty_values_each_answered_for_its_own_text(lesson: NotebookPage, client: Client) -> None:
    """Fill and submit with no pause, alternating a click and Enter: the answer is always for the
    text that was in the box at that moment, never the previous one (issue 9's race)."""
    coffees = 0
    for i in range(50):
        enter = i % 2 == 1
        if i % 5 == 4:  # an accepted update: the cart it returns counts this coffee
            coffees += 1
            shown = await answer_to(lesson, "coffee 1", enter=enter)
            assert shown.startswith("✓ In the cart:") and f"{coffees} × coffee" in shown, (i, shown)
        else:  # a refused one: the validator's reason names exactly this text
            shown = await answer_to(lesson, f"kiwi{i}", enter=enter)
            assert shown.startswith(f"✗ Rejected: 'kiwi{i}' is not sold here"), (i, shown)
    assert await cart_items(client) == {"apple": 2, "bread": 1, "coffee": 10}


async def test_a_double_click_sends_once_and_the_button_waits_for_the_answer(
    lesson: NotebookPage, client: Client
) -> None:
    form_input, submit, result = form_parts(lesson)
    seq = await result.evaluate(_SEQ_JS)
    await form_input.fill("milk 1")
    await submit.dblclick()
    handle = await result.element_handle()
    await lesson.page.wait_for_function(_ANSWERED_JS, arg=[handle, seq], polling="raf")
    # A second submission, answered after anything the double click could have sent.
    assert (await answer_to(lesson, "kiwi-after", enter=False)).startswith("✗ Rejected: 'kiwi-after'")
    assert await result.evaluate(_SEQ_JS) == seq + 2
    assert (await cart_items(client))["milk"] == 1

    # The button is disabled in the same moment as the click, so a click right after it does nothing.
    disabled_at_once = await submit.evaluate(
        """(button) => {
            const input = document.querySelector('.tn-update-input input');
            input.value = 'kiwi-js';
            button.click();
            const disabled = button.disabled;
            button.click();
            return disabled;
        }"""
    )
    assert disabled_at_once
    await lesson.page.wait_for_function(_ANSWERED_JS, arg=[handle, seq + 2], polling="raf")
    await expect(result).to_contain_text("'kiwi-js' is not sold here")
    await expect(submit).to_be_enabled()
    assert await result.evaluate(_SEQ_JS) == seq + 3


REPEAT_WINDOW_MS = 500  # ActionBar.repeat_window_ms: presses closer than this are one intent


async def press_twice(lesson: NotebookPage, gap_ms: int, *, enter: bool) -> float:
    """A person's double press: two real clicks (mouse) or two Enters ``gap_ms`` apart; the gap between
    the two presses as sent, in ms. (Measured here: a click on the button while it is still disabled
    never reaches the page's listeners.)"""
    page = lesson.page
    form_input, submit, _ = form_parts(lesson)
    if enter:
        await form_input.focus()

        async def press() -> None:
            await page.keyboard.press("Enter")
    else:
        box = await submit.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

        async def press() -> None:
            await page.mouse.click(x, y)

    # A press is two input events (down, up), each a round trip to the browser: the second press waits the
    # gap less the time the first one took, so the page sees about the gap asked for.
    started = time.perf_counter()
    await press()
    first_done = time.perf_counter()
    await asyncio.sleep(max(0.0, gap_ms / 1000 - (first_done - started)))
    await press()
    return 1000 * (time.perf_counter() - first_done)


@pytest.mark.parametrize(
    ("gap_ms", "enter"), [(80, False), (150, False), (250, False), (130, True), (230, True)]
)
async def test_a_double_press_at_a_persons_speed_adds_once(
    lesson: NotebookPage, client: Client, gap_ms: int, enter: bool
) -> None:
    """The button is enabled again about 0.1 s after a quick answer, before a person's second click:
    the page itself must see the second press as the same intent."""
    form_input, _, result = form_parts(lesson)
    before = (await cart_items(client)).get("bread", 0)
    seq = await result.evaluate(_SEQ_JS)
    await form_input.fill("bread 1")
    bar = lesson.page.locator(".tn-update-form .tn-action-bar[data-state]")  # the bar itself, not its host
    ignored_before = int(await bar.get_attribute("data-repeats-ignored") or 0)
    seen_gap = await press_twice(lesson, gap_ms, enter=enter)
    print(f"{'Enter' if enter else 'click'} twice, {gap_ms} ms apart: sent {seen_gap:.0f} ms apart")
    # Which guard held it: the repeat window (the button was enabled again) or the still-disabled button.
    held_by = (
        "repeat window"
        if int(await bar.get_attribute("data-repeats-ignored") or 0) > ignored_before
        else "busy"
    )
    print(f"    second press held by: {held_by}")
    assert seen_gap < REPEAT_WINDOW_MS, f"the machine stalled: presses {seen_gap:.0f} ms apart, not {gap_ms}"
    # Anything the second press sent would be answered before this later, different submission.
    assert (await answer_to(lesson, "kiwi-after", enter=False)).startswith("✗ Rejected: 'kiwi-after'")
    assert await result.evaluate(_SEQ_JS) == seq + 2
    assert (await cart_items(client))["bread"] == before + 1


async def test_the_same_add_a_second_later_adds_again(lesson: NotebookPage, client: Client) -> None:
    """A deliberate second add is not a double click: it goes out."""
    before = (await cart_items(client))["bread"]
    first = await answer_to(lesson, "bread 1", enter=True)
    await lesson.page.wait_for_timeout(1000)
    second = await answer_to(lesson, "bread 1", enter=False)
    assert f"{before + 1} × bread" in first and f"{before + 2} × bread" in second, (first, second)
    assert (await cart_items(client))["bread"] == before + 2


async def test_the_form_is_disabled_with_the_reason_once_the_cart_closes(
    lesson: NotebookPage, client: Client
) -> None:
    form_input, submit, _ = form_parts(lesson)
    await client.get_workflow_handle(scoped("cart-form")).terminate("browser test done")
    reason = lesson.page.locator(".tn-update-form .tn-closed-reason")
    await expect(reason).to_have_text("The workflow is closed (terminated): it takes no more updates.")
    await expect(submit).to_be_disabled()
    await expect(form_input).to_be_disabled()
