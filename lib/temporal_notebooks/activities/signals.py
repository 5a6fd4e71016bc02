"""Lesson 06 activities and data types: the greeting workflow's one side effect, and its state."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import activity


@dataclass
class GreeterInput:
    """How a greeter starts: the salutation, and greetings carried over from an earlier run
    (continue-as-new passes them on so a long-lived greeter keeps a short history)."""

    salutation: str = "Hello"
    greetings: list[str] = field(default_factory=list)


@dataclass
class GreeterState:
    """What the state query returns: everything a learner (or the widget panel) wants to see."""

    salutation: str
    greetings: list[str]
    pending: list[str]
    received: int
    exiting: bool


@dataclass
class ComposeInput:
    """One dataclass parameter, so fields can be added without breaking running callers."""

    salutation: str
    name: str


@activity.defn
async def format_greeting(params: ComposeInput) -> str:
    """Async activity: no thread pool needed, which keeps the signal → new state path short."""
    return f"{params.salutation}, {params.name}!"
