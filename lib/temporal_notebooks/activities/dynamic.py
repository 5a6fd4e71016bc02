"""Lesson 09 activities: a dynamic activity that answers calls by names nobody registered.

A dynamic activity gets its arguments undecoded (``Sequence[RawValue]``): it learns the name it
was called by from ``activity.info().activity_type`` and decodes each argument itself with
``activity.payload_converter()``, into whatever type that name calls for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from temporalio import activity
from temporalio.common import RawValue


@dataclass
class GreetingParams:
    greeting: str
    name: str


@activity.defn
def compose_greeting(params: GreetingParams) -> str:
    """A normal, statically registered activity: a call by this name never reaches the fallback."""
    return f"{params.greeting}, {params.name}!"


@activity.defn(dynamic=True)
def fallback_activity(args: Sequence[RawValue]) -> str:
    """Runs for every activity name the worker has no activity for."""
    called_as = activity.info().activity_type
    if not args:
        return f"{called_as}() handled by the dynamic activity"
    params = activity.payload_converter().from_payload(args[0].payload, GreetingParams)
    return f"{params.greeting}, {params.name}! (handled as '{called_as}' by the dynamic activity)"
