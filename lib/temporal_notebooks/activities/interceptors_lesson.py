"""Lesson 11's interceptor section: an activity that fails on bad input, and a worker interceptor
that makes such failures non-retryable for every activity of the worker, and notes each call.

An interceptor wraps the SDK's calls into your code: here ``ActivityInboundInterceptor.
execute_activity`` runs around every activity the worker executes, once per attempt."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor


@activity.defn
def parse_amount(text: str) -> int:
    """Raises ``ValueError`` for text that is not a number: retrying will not change that."""
    return int(text)


class NonRetryableValueErrors(Interceptor):
    """Turns a ``ValueError`` from any activity into a non-retryable ``ApplicationError`` (type
    "ValueError"), so bad input fails at once instead of using up the retry policy; ``calls`` notes
    each attempt and how it ended."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ValueErrorsStopRetries(next, self.calls)


class _ValueErrorsStopRetries(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, calls: list[str]) -> None:
        super().__init__(next)
        self.calls = calls

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()  # the SDK sets the activity's context before interceptors run
        where = f"{info.activity_type} attempt {info.attempt}"
        try:
            result = await super().execute_activity(input)
        except ValueError as err:
            self.calls.append(f"{where}: ValueError({err}) → non-retryable")
            raise ApplicationError(str(err), type="ValueError", non_retryable=True) from err
        self.calls.append(f"{where}: returned {result!r}")
        return result
