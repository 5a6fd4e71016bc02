"""Lesson 07 exercise: a query named "steps left" on a "Countdown" workflow.

The learner writes the query in a ``%%module_file exercise07`` cell. The check runs the workflow
on a short-lived worker of its own, asks "steps left" while it counts down (the answers must be
real counts that never go up), and again once it has finished (a closed workflow still answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from temporalio import workflow
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.worker import Worker

from temporal_notebooks.runtime.exercises import CheckResult, failure_text, learner_workflow, not_yet, passed
from temporal_notebooks.runtime.learner import scoped

MODULE = "exercise07"
TYPE_NAME = "Countdown"
QUERY = "steps left"
START = 3
TIMEOUT_S = 15.0


def query_names(workflow_class: type) -> list[str]:
    definition = workflow._Definition.from_class(workflow_class)
    return sorted(name for name in (definition.queries if definition else {}) if name)


async def run_countdown(client: Client, workflow_class: type) -> tuple[list[int], int, object]:
    """(answers while running, answer after the end, the result)."""
    task_queue = scoped(f"check-{TYPE_NAME}")
    async with Worker(client, task_queue=task_queue, workflows=[workflow_class]):
        handle = await client.start_workflow(
            TYPE_NAME, START, id=scoped(f"check-countdown-{uuid.uuid4().hex[:8]}"), task_queue=task_queue
        )
        try:
            answers = []
            result_task = asyncio.ensure_future(handle.result())
            while not result_task.done():
                answers.append(await handle.query(QUERY))
                await asyncio.sleep(0.1)
            result = await asyncio.wait_for(result_task, TIMEOUT_S)
            return answers, await handle.query(QUERY), result
        finally:
            with contextlib.suppress(Exception):
                await handle.terminate("exercise check finished")


async def check(client: Client) -> CheckResult:
    """Pass when "steps left" counts 3 → 0 while running and answers 0 after the end."""
    workflow_class = learner_workflow(MODULE, TYPE_NAME)
    if isinstance(workflow_class, CheckResult):
        return workflow_class
    if QUERY not in query_names(workflow_class):
        names = ", ".join(query_names(workflow_class)) or "none"
        return not_yet(
            f'the workflow has no query named "{QUERY}" (its queries: {names}): '
            f'set the name with @workflow.query(name="{QUERY}").'
        )
    try:
        answers, after_end, result = await asyncio.wait_for(run_countdown(client, workflow_class), 30)
    except WorkflowQueryFailedError as exc:
        return not_yet(f'asking "{QUERY}" failed: {exc.message}')
    except Exception as exc:
        return not_yet(f"running it failed: {failure_text(exc)}")
    if any(not isinstance(a, int) or isinstance(a, bool) for a in answers):
        return not_yet(
            f'counting down from {START}, "{QUERY}" answered {answers}: return the number itself (an int, '
            "self.left), not a text or another value."
        )
    if not answers or any(not 0 <= a <= START for a in answers):
        return not_yet(
            f'counting down from {START}, "{QUERY}" answered {answers}; expected {START}…0: return '
            "self.left, the steps still to go."
        )
    if answers != sorted(answers, reverse=True) or len(set(answers)) < 2:
        return not_yet(
            f'"{QUERY}" answered {answers} while counting down: it should go down step by step, as '
            "self.left does."
        )
    if after_end != 0:
        return not_yet(f'after the countdown, "{QUERY}" answered {after_end!r}; expected 0.')
    steps = " → ".join(str(a) for a in dict.fromkeys(answers))
    return passed(f'"{QUERY}" answered {steps} while running, and 0 after the end (result {result!r}).')
