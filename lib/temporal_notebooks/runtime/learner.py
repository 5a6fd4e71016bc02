"""The learner id, and the names (task queues, workflow ids) derived from it.

Every task queue and workflow id a lesson creates goes through :func:`scoped`, so that a whole
class can share one Temporal namespace without seeing each other's workflows.
"""

from __future__ import annotations

import getpass
import os
import re

LEARNER_ENV = "TEMPORAL_NOTEBOOKS_LEARNER"
SEPARATOR = "."  # learner ids never contain it, so "<learner>.<name>" splits unambiguously


def learner_id() -> str:
    """Who is running the notebook: the setting, else the JupyterHub user, else the OS user."""
    raw = os.environ.get(LEARNER_ENV) or os.environ.get("JUPYTERHUB_USER") or _os_user()
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", raw.strip().lower()).strip("-")
    return cleaned or "learner"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "learner"


def scoped(name: str) -> str:
    """``name`` made unique to this learner: ``"<learner>.<name>"``."""
    prefix = learner_id() + SEPARATOR
    return name if name.startswith(prefix) else prefix + name


def split_scoped(scoped_name: str) -> tuple[str, str] | None:
    """The (learner, name) pair of a scoped name, or None for a name made elsewhere."""
    learner, sep, name = scoped_name.partition(SEPARATOR)
    return (learner, name) if sep and learner and name else None
