"""Visibility for the notebooks: custom search attributes registered on the server, and lists of
workflows that wait (with a bound) until the server's eventually consistent index has caught up.

Names no lesson: a lesson passes its own keys and queries.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable, Sequence
from urllib.parse import quote

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client, ScheduleDescription, ScheduleHandle, WorkflowExecution
from temporalio.common import SearchAttributeKey

from .connection import current_info
from .errors import NotebookError

LISTED_TIMEOUT_S = 10.0


class NotListedError(NotebookError):
    """A visibility query did not find what it waited for within its bound."""


async def ensure_search_attributes(client: Client, keys: Sequence[SearchAttributeKey]) -> list[str]:
    """Register the custom search attributes the server does not know yet (through the operator
    service, as ``temporal operator search-attribute create`` does); returns the names added.
    Already registered with the same type: nothing to do, so re-running is safe."""
    namespace = client.namespace
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    wanted = {key.name: IndexedValueType.ValueType(int(key.indexed_value_type)) for key in keys}
    clashes = [
        name
        for name, kind in wanted.items()
        if name in known.custom_attributes and known.custom_attributes[name] != kind
    ]
    if clashes:
        raise NotebookError(
            f"search attribute(s) {', '.join(clashes)} already exist on the server with another type: "
            "a name keeps its type; pick another name."
        )
    missing = {name: kind for name, kind in wanted.items() if name not in known.custom_attributes}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


async def listed(
    client: Client, query: str, *, at_least: int = 1, timeout_s: float = LISTED_TIMEOUT_S
) -> list[WorkflowExecution]:
    """The workflows ``query`` finds, once there are at least ``at_least`` of them.

    Visibility is eventually consistent: a run that just started or changed is listed a moment
    later. Polls every 0.1 s; after ``timeout_s`` raises one line with what it found."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [execution async for execution in client.list_workflows(query)]
        if len(found) >= at_least:
            return found
        if time.monotonic() > deadline:
            raise NotListedError(
                f"the query {query!r} found {len(found)} workflow(s) after {timeout_s:.0f} s, "
                f"expected at least {at_least}: did the workflows start, and set the attributes it asks for?"
            )
        await asyncio.sleep(0.1)


async def schedule_described(
    handle: ScheduleHandle, done: Callable[[ScheduleDescription], bool], timeout_s: float = LISTED_TIMEOUT_S
) -> ScheduleDescription:
    """The schedule's description once ``done`` holds for it, or the last one after ``timeout_s``: what
    a trigger, backfill or pause asks of a schedule, the schedule does after the call returns."""
    deadline = time.monotonic() + timeout_s
    while True:
        description = await handle.describe()
        if done(description) or time.monotonic() > deadline:
            return description
        await asyncio.sleep(0.05)


async def schedule_actions(
    handle: ScheduleHandle, *, at_least: int, timeout_s: float = LISTED_TIMEOUT_S
) -> ScheduleDescription:
    """The schedule's description once it has taken ``at_least`` actions in all (a trigger or a
    backfill returns before the server has started the runs)."""
    description = await schedule_described(handle, lambda d: d.info.num_actions >= at_least, timeout_s)
    if description.info.num_actions < at_least:
        raise NotListedError(
            f"schedule {handle.id} took {description.info.num_actions} action(s) in {timeout_s:.0f} s, "
            f"expected {at_least}: is its workflow's task queue served by a worker?"
        )
    return description


class UILink:
    """A Web UI page: a clickable link in a notebook, the plain URL elsewhere."""

    def __init__(self, path: str, text: str) -> None:
        info = current_info()
        self.text = text
        self.url = f"{info.ui_url}/namespaces/{quote(info.namespace)}/{path}" if info.ui_url else None

    def _repr_html_(self) -> str:
        if not self.url:
            return f"<p>(no Web UI known) {html.escape(self.text)}</p>"
        return f"<a href='{html.escape(self.url)}' target='_blank'>{html.escape(self.text)}</a>"

    def __repr__(self) -> str:
        return self.url or f"(no Web UI known) {self.text}"


def ui_query_link(query: str) -> UILink:
    """The Web UI's workflow list filtered by the same visibility query."""
    return UILink(f"workflows?query={quote(query, safe='')}", f"Web UI: workflows where {query}")


def ui_schedule_link(schedule_id: str) -> UILink:
    """The Web UI's page of one schedule (its spec, its recent and upcoming runs)."""
    return UILink(f"schedules/{quote(schedule_id, safe='')}", f"Web UI: schedule {schedule_id}")
