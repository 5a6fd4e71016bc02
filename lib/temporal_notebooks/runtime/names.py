"""The names Temporal knows your code by: what a worker registers, and what clients must send.

A workflow's type name is its class name, an activity's its function name, a signal's, query's or
update's its method name, unless the decorator says ``name=...``. The server only ever sees these
strings, never the Python names: this module shows the two side by side.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Iterable

from temporalio import activity, workflow


@dataclasses.dataclass(frozen=True)
class RegisteredName:
    """One definition: its kind, its Python name, and the type name clients and histories use."""

    kind: str
    python_name: str
    type_name: str

    @property
    def custom(self) -> bool:
        """True when ``name=...`` set a type name other than the Python default."""
        return self.type_name != self.python_name.rsplit(".", 1)[-1]


class RegisteredNames(list):
    """A list of :class:`RegisteredName`; shows itself as a table."""

    def type_name(self, python_name: str) -> str:
        """The type name registered for ``python_name`` (e.g. ``"CheckoutWorkflow.submit_payment"``)."""
        for entry in self:
            if entry.python_name == python_name:
                return entry.type_name
        raise KeyError(python_name)

    def __repr__(self) -> str:
        width = max((len(e.python_name) for e in self), default=0)
        return "\n".join(
            f"{e.kind:<9} {e.python_name:<{width}}  →  {e.type_name!r}{'  (name=...)' if e.custom else ''}"
            for e in self
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{e.kind}</td><td><code>{html.escape(e.python_name)}</code></td>"
            f"<td><code>{html.escape(repr(e.type_name))}</code></td>"
            f"<td>{'set with <code>name=</code>' if e.custom else 'default'}</td></tr>"
            for e in self
        )
        return (
            "<table><thead><tr><th>kind</th><th>Python name</th><th>Temporal type name</th>"
            f"<th></th></tr></thead><tbody>{rows}</tbody></table>"
        )


def registered_names(*definitions: type | Callable) -> RegisteredNames:
    """The type names of workflow classes (with their signals, queries, updates) and activities."""
    names = RegisteredNames()
    for definition in definitions:
        workflow_definition = (
            workflow._Definition.from_class(definition) if isinstance(definition, type) else None
        )
        if workflow_definition is not None:
            names.extend(_workflow_names(workflow_definition))
            continue
        activity_definition = activity._Definition.from_callable(definition)
        if activity_definition is None:
            raise TypeError(
                f"{definition!r} is neither a @workflow.defn class nor an @activity.defn function"
            )
        python_name = getattr(definition, "__name__", repr(definition))
        names.append(RegisteredName("activity", python_name, activity_definition.name or "(dynamic)"))
    return names


def _workflow_names(definition) -> Iterable[RegisteredName]:
    class_name = definition.cls.__name__
    yield RegisteredName("workflow", class_name, definition.name or "(dynamic)")
    for kind, handlers in (
        ("signal", definition.signals),
        ("query", definition.queries),
        ("update", definition.updates),
    ):
        for name, handler in handlers.items():
            yield RegisteredName(kind, f"{class_name}.{handler.fn.__name__}", name or "(dynamic)")
