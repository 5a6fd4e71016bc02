"""Lesson 09 workflows: dynamic handlers, the fallbacks for names nothing else handles.

A dynamic handler gets the name it was called by plus the raw, undecoded arguments
(``Sequence[RawValue]``) and decodes them with ``workflow.payload_converter()``. Static handlers
always win: a dynamic one runs only for names no static handler has. Workflow classes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.dynamic import GreetingParams


@workflow.defn(dynamic=True)
class AnyNameWorkflow:
    """Runs for every workflow type name the worker has no workflow for."""

    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> str:
        called_as = workflow.info().workflow_type
        name = workflow.payload_converter().from_payload(args[0].payload, str) if args else "stranger"
        # No worker registers an activity named "unregistered_greeting": the dynamic activity
        # (activities/dynamic.py) answers it.
        greeting = await workflow.execute_activity(
            "unregistered_greeting",
            GreetingParams("Hello", name),
            start_to_close_timeout=timedelta(seconds=10),
            result_type=str,
        )
        return f"[{called_as}] {greeting}"


def _first_text(args: Sequence[RawValue]) -> str:
    """The first argument decoded as text ("" when the caller sent none)."""
    return workflow.payload_converter().from_payload(args[0].payload, str) if args else ""


@workflow.defn
class MessageBoxWorkflow:
    """Takes signals, queries and updates of any name; ``close`` and ``received`` are static."""

    def __init__(self) -> None:
        self._received: list[tuple[str, str]] = []
        self._settings: dict[str, str] = {}
        self._closed = False

    @workflow.run
    async def run(self) -> list[str]:
        await workflow.wait_condition(lambda: self._closed and workflow.all_handlers_finished())
        return [f"{name}: {value}" for name, value in self._received]

    @workflow.signal
    def close(self) -> None:
        """Static: a signal named "close" always lands here, never in the dynamic handler."""
        self._closed = True

    @workflow.signal(dynamic=True)
    def any_signal(self, name: str, args: Sequence[RawValue]) -> None:
        self._received.append((name, _first_text(args)))

    @workflow.query
    def received(self) -> list[str]:
        return [f"{name}: {value}" for name, value in self._received]

    @workflow.query(dynamic=True)
    def any_query(self, name: str, args: Sequence[RawValue]) -> str:
        """A query named like a signal or a setting answers its last value."""
        if name in self._settings:
            return self._settings[name]
        values = [value for signal_name, value in self._received if signal_name == name]
        return values[-1] if values else f"nothing received as '{name}'"

    @workflow.update(dynamic=True)
    def any_update(self, name: str, args: Sequence[RawValue]) -> str:
        value = _first_text(args)
        previous = self._settings.get(name, "unset")
        self._settings[name] = value
        return f"{name}: {previous} → {value}"

    @any_update.validator
    def validate_any_update(self, name: str, args: Sequence[RawValue]) -> None:
        """Validators work for dynamic updates too; this one allows only ``set_*`` names."""
        if not name.startswith("set_"):
            raise ApplicationError(f"'{name}' is not a setting: update names here start with 'set_'")
        if len(args) != 1:
            raise ApplicationError(f"'{name}' takes exactly one value, got {len(args)}")


@workflow.defn
class PlainMessageBoxWorkflow:
    """The same box without dynamic handlers: a misspelt name fails loudly instead of being absorbed."""

    def __init__(self) -> None:
        self._received: list[str] = []
        self._closed = False

    @workflow.run
    async def run(self) -> list[str]:
        await workflow.wait_condition(lambda: self._closed)
        return list(self._received)

    @workflow.signal
    def note(self, text: str) -> None:
        self._received.append(f"note: {text}")

    @workflow.signal
    def close(self) -> None:
        self._closed = True

    @workflow.query
    def received(self) -> list[str]:
        return list(self._received)


@workflow.defn
class TextPipelineWorkflow:
    """Runs one activity per step, called by name only (the exercise's dynamic activity answers)."""

    @workflow.run
    async def run(self, text: str, steps: list[str]) -> str:
        for step in steps:
            text = await workflow.execute_activity(
                step,
                text,
                start_to_close_timeout=timedelta(seconds=10),
                # One attempt: an unknown step fails the run at once instead of retrying forever.
                retry_policy=RetryPolicy(maximum_attempts=1),
                result_type=str,
            )
        return text
