"""The IPython shell the code runs in, if any: notebook hooks install themselves only there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def ipython_shell() -> Any | None:
    """The running IPython shell, or None (plain Python, a script, a test without a kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


AST_RACE = "AST constructor recursion depth mismatch"


def retry_ast_race(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, called again when CPython 3.11's AST race (see below) made it fail; for
    code that parses source in a cell, e.g. ``inspect.getsource``."""
    for _ in range(4):
        try:
            return function(*args)
        except SystemError as exc:
            if AST_RACE not in str(exc):
                raise
    return function(*args)


def survive_ast_race(shell: Any) -> None:
    """Parse a cell again when CPython 3.11's AST race hits it (python/cpython#106905).

    CPython < 3.12 counts AST nesting per interpreter, not per thread. A worker thread that formats a
    traceback (Python 3.11 parses the failing line to place its ``^^^`` marks) while IPython parses a
    cell can make that parse fail with ``SystemError: AST constructor recursion depth mismatch``: a
    queued Run All then stops at a cell that has nothing wrong with it. The parse is retried.
    """
    compiler = getattr(shell, "compile", None)
    parse = getattr(compiler, "ast_parse", None)
    if parse is None or getattr(parse, "survives_ast_race", False):
        return

    def ast_parse(*args: Any, **kwargs: Any) -> Any:
        for _ in range(4):
            try:
                return parse(*args, **kwargs)
            except SystemError as exc:
                if AST_RACE not in str(exc):
                    raise
        return parse(*args, **kwargs)

    ast_parse.survives_ast_race = True  # type: ignore[attr-defined]
    compiler.ast_parse = ast_parse
