"""Lesson 01's greeting as an application: ``python -m temporal_notebooks.apps.greeting.worker`` in one
terminal, ``python -m temporal_notebooks.apps.greeting.starter Ada`` in another."""

from temporal_notebooks.runtime.learner import scoped


def task_queue() -> str:
    """The app's task queue, scoped to this learner so a class can share one server."""
    return scoped("greeting-app")
