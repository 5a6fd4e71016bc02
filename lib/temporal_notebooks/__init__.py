"""Temporal Notebooks: interactive lessons for the Temporal Python SDK.

Lesson code lives in ``workflows/`` and ``activities/``; what the notebooks use to connect, run
workers and show results lives in ``runtime/``. This file stays empty on purpose: the workflow
sandbox imports it whenever it re-imports a workflow module.
"""

__version__ = "0.1.0"
