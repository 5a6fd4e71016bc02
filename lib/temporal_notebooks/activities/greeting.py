"""Lesson 01 activities: the greeting's only side effect lives here, outside the workflow."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity


@dataclass
class GreetingInput:
    """One dataclass parameter: fields can be added later without breaking running callers."""

    greeting: str
    name: str


@activity.defn
def compose_greeting(params: GreetingInput) -> str:
    """A sync activity (it runs in the worker's thread pool): safe for blocking calls."""
    activity.logger.info("Composing a greeting for %s", params.name)
    return f"{params.greeting}, {params.name}!"
