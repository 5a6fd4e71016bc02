"""Lesson 06 workflows: a long-running greeter driven by signals, and a workflow that signals it.

Workflow classes only: the sandbox re-imports this module for every run.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporal_notebooks.activities.signals import (
        ComposeInput,
        GreeterInput,
        GreeterState,
        format_greeting,
    )


@workflow.defn
class GreeterWorkflow:
    """Waits for names by signal, greets each one (an activity), and ends on the ``exit`` signal.

    Signal handlers only record what arrived; the run method drains the queue. That keeps every
    activity call in one place, in the order the signals came, and lets ``exit`` finish the work
    already queued before the workflow returns.
    """

    @workflow.init
    def __init__(self, params: GreeterInput) -> None:
        # @workflow.init: __init__ gets the input, so state built from it exists before any handler
        # runs, even for Signal-With-Start, where the signal is delivered in the very first workflow task.
        self._salutation = params.salutation
        self._greetings: list[str] = list(params.greetings)
        self._pending: asyncio.Queue[str] = asyncio.Queue()
        self._pending_names: list[str] = []  # the queue's content, for the state query
        self._received = 0
        self._exiting = False

    @workflow.run
    async def run(self, params: GreeterInput) -> list[str]:
        while True:
            await workflow.wait_condition(lambda: not self._pending.empty() or self._exiting)
            while not self._pending.empty():
                name = self._pending.get_nowait()
                greeting = await workflow.execute_activity(
                    format_greeting,
                    ComposeInput(self._salutation, name),
                    start_to_close_timeout=timedelta(seconds=10),
                )
                self._pending_names.pop(0)
                self._greetings.append(greeting)
            if self._exiting:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self._greetings
            if workflow.info().is_continue_as_new_suggested():
                # A long-lived greeter starts afresh with its greetings before its history grows too
                # long; names that arrive meanwhile are greeted first (the loop goes round again).
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._pending.empty() and not self._exiting:
                    workflow.continue_as_new(GreeterInput(self._salutation, self._greetings))

    # --- signals: async, sync, and one with a custom name ------------------------------------

    @workflow.signal
    async def submit_greeting(self, name: str) -> None:
        """An async handler may await (here: putting into the queue); its return value is ignored."""
        await self._pending.put(name)
        self._pending_names.append(name)
        self._received += 1

    @workflow.signal
    def exit(self) -> None:
        """A sync handler: it only flips a flag that the run method waits on."""
        self._exiting = True

    @workflow.signal(name="change salutation")
    def set_salutation(self, salutation: str) -> None:
        """Senders use the name "change salutation"; the method name does not matter to them."""
        self._salutation = salutation

    # --- reading the state ----------------------------------------------------------------------

    @workflow.query
    def state(self) -> GreeterState:
        """Read-only view of everything above (queries never change state)."""
        return GreeterState(
            salutation=self._salutation,
            greetings=list(self._greetings),
            pending=list(self._pending_names),
            received=self._received,
            exiting=self._exiting,
        )

    @workflow.update
    async def greet(self, name: str) -> str:
        """Like ``submit_greeting``, but the caller waits for (and gets) the composed greeting."""
        position = len(self._greetings) + len(self._pending_names)
        await self.submit_greeting(name)
        await workflow.wait_condition(lambda: len(self._greetings) > position)
        return self._greetings[position]

    @greet.validator
    def _check_name(self, name: str) -> None:
        if not name.strip():
            raise ValueError("A greeting needs a name.")

    @workflow.update
    async def settled_state(self) -> GreeterState:
        """The state once every name received so far is greeted: read-your-own-signal.

        A client that has just sent a signal gets the state that includes it, as soon as the
        workflow has it, with no polling (the panel uses this to show a click's result).
        """
        await workflow.wait_condition(lambda: not self._pending_names)
        return self.state()


@workflow.defn
class GreetingRelayWorkflow:
    """Signals another workflow (an *external* signal): it names a greeter by id and sends a name."""

    @workflow.run
    async def run(self, greeter_id: str, name: str) -> str:
        # The type given here is only for type checking: nothing checks that the target is a greeter.
        greeter = workflow.get_external_workflow_handle_for(GreeterWorkflow.run, greeter_id)
        await greeter.signal(GreeterWorkflow.submit_greeting, name)
        return f"signalled {greeter_id} with {name!r}"


# --- what @workflow.init adds: the workflow's input, before the first handler runs -----------------


@workflow.defn
class PlainInitGreeter:
    """``__init__`` without ``@workflow.init``: it runs before any handler too, but it cannot see the
    input, so the salutation is only known once ``run`` starts, after a start signal was handled."""

    def __init__(self) -> None:
        self._salutation = "(no salutation yet)"
        self._greetings: list[str] = []

    @workflow.run
    async def run(self, params: GreeterInput) -> list[str]:
        self._salutation = params.salutation
        await workflow.wait_condition(lambda: len(self._greetings) > 0)
        return self._greetings

    @workflow.signal
    def submit_greeting(self, name: str) -> None:
        self._greetings.append(f"{self._salutation}, {name}!")


@workflow.defn
class InitInputGreeter:
    """The same with ``@workflow.init``: ``__init__`` gets the run's arguments, so the handler of a
    signal that arrives with the start already sees the salutation."""

    @workflow.init
    def __init__(self, params: GreeterInput) -> None:
        self._salutation = params.salutation
        self._greetings: list[str] = []

    @workflow.run
    async def run(self, params: GreeterInput) -> list[str]:
        await workflow.wait_condition(lambda: len(self._greetings) > 0)
        return self._greetings

    @workflow.signal
    def submit_greeting(self, name: str) -> None:
        self._greetings.append(f"{self._salutation}, {name}!")
