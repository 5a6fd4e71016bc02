"""Lesson 12 exercise: write the test that catches a bug. ``RefactoredTrialWorkflow`` returns the
right text but charges a customer who cancelled during the trial.

The learner writes ``async def test_...(env, trial_workflow)`` functions in a ``%%module_file
exercise12`` cell (``env``: a time-skipping test environment, ``trial_workflow``: the workflow class
under test). The check runs each of them against the correct ``TrialWorkflow``, where all must pass,
and against the refactored one, where one must fail: a test that catches the bug and nothing else.
Then against copies with other class names (``exercises/trial_copies.py``), correct ones where all
must pass and buggy ones where one must fail: a test that tells the classes apart tests nothing.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import traceback
from collections.abc import Callable

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from temporal_notebooks.exercises.trial_copies import BUGGY_COPIES, CORRECT_COPIES
from temporal_notebooks.runtime.devserver import find_binary
from temporal_notebooks.runtime.exercises import CheckResult, not_yet, passed
from temporal_notebooks.workflows.testing_lesson import RefactoredTrialWorkflow, TrialWorkflow

MODULE = "exercise12"
FIXTURES = ("env", "trial_workflow")
TEST_TIMEOUT_S = 30.0


def learner_tests(module_name: str = MODULE) -> list[Callable] | CheckResult:
    """The ``test_*`` functions of the learner's module, or a "not yet" saying what is missing."""
    module = sys.modules.get(module_name)
    if module is None:
        return not_yet(f"run the %%module_file {module_name} cell first.")
    tests = [
        value
        for name, value in vars(module).items()
        if name.startswith("test_") and callable(value) and getattr(value, "__module__", None) == module_name
    ]
    if not tests:
        return not_yet(
            f"no test function in {module_name}: pytest runs functions whose names start with test_."
        )
    for test in tests:
        if not inspect.iscoroutinefunction(test):
            return not_yet(f"make {test.__name__} an async def: it awaits the test environment.")
        unknown = [p for p in inspect.signature(test).parameters if p not in FIXTURES]
        if unknown:
            return not_yet(
                f"{test.__name__} asks for {', '.join(map(repr, unknown))}; "
                "the fixtures are env and trial_workflow."
            )
    return tests


async def run_test(test: Callable, env: WorkflowEnvironment, workflow_class: type) -> BaseException | None:
    """Run one learner test like pytest would; the exception it failed with, or None."""
    available = {"env": env, "trial_workflow": workflow_class}
    arguments = {name: available[name] for name in inspect.signature(test).parameters}
    try:
        await asyncio.wait_for(test(**arguments), TEST_TIMEOUT_S)
    except (TimeoutError, Exception) as exc:  # a failing test is what we look for
        return exc
    return None


def _failure_line(test: Callable, exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return f"{test.__name__} did not finish within {TEST_TIMEOUT_S:.0f} s"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"line {f.lineno}" for f in reversed(frames) if f.filename.endswith(f"{MODULE}.py")), "")
    return f"{test.__name__} raised {type(exc).__name__}{': ' + text if text else ''}" + (
        f" ({where})" if where else ""
    )


async def check(client: Client | None = None) -> CheckResult:
    """Pass when every learner test passes on TrialWorkflow and one fails on RefactoredTrialWorkflow."""
    tests = learner_tests()
    if isinstance(tests, CheckResult):
        return tests
    try:
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=find_binary("temporal-test-server")
        )
    except Exception as exc:
        return not_yet(f"the time-skipping test server did not start: {exc}")
    try:
        return await _judge(tests, env)
    finally:
        await env.shutdown()


async def _first_failure(tests: list[Callable], env: WorkflowEnvironment, workflow_class: type) -> str | None:
    """The first of ``tests`` that fails on ``workflow_class``, as a line; None when all pass."""
    for test in tests:
        failure = await run_test(test, env, workflow_class)
        if failure is not None:
            return _failure_line(test, failure)
    return None


async def _judge(tests: list[Callable], env: WorkflowEnvironment) -> CheckResult:
    for workflow_class in [TrialWorkflow, *CORRECT_COPIES]:
        failure = await _first_failure(tests, env, workflow_class)
        if failure is None:
            continue
        if workflow_class is TrialWorkflow:
            return not_yet(
                f"on the correct TrialWorkflow, {failure}. A test must pass on correct code, or it "
                "catches nothing."
            )
        return not_yet(
            f"on {workflow_class.__name__}, a correct trial workflow with another class name, {failure}. "
            "A test must judge what the workflow does (the result, the activities it called), never "
            "which class it is given."
        )
    caught = await _first_failure(tests, env, RefactoredTrialWorkflow)
    if caught is None:
        return not_yet(
            "your tests pass on RefactoredTrialWorkflow too: they do not catch its bug yet. Its result "
            "text is right in every case, so look at what it does: register stand-in activities that "
            "record their calls, and assert on those in the case where the bug shows."
        )
    for workflow_class in BUGGY_COPIES:
        if await _first_failure(tests, env, workflow_class) is None:
            return not_yet(
                f"your tests fail on RefactoredTrialWorkflow but pass on {workflow_class.__name__}, which "
                "has the same bug (it charges a customer who cancelled) under another class name: they "
                "tell the classes apart instead of catching the bug. Assert on what the workflow did."
            )
    copies = len(CORRECT_COPIES) + len(BUGGY_COPIES)
    return passed(
        f"your tests pass on TrialWorkflow and catch the bug: {caught}. They judged {copies} more "
        "copies with other class names rightly too."
    )
