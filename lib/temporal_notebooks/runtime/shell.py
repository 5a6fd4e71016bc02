"""The IPython shell the code runs in, if any: notebook hooks install themselves only there."""

from __future__ import annotations

from typing import Any


def ipython_shell() -> Any | None:
    """The running IPython shell, or None (plain Python, a script, a test without a kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
