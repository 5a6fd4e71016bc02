"""How a command of the collection ends: with its own exit status, never with an abort.

temporalio 1.35 runs its core on Tokio threads that call into Python: they resolve the future of
each client call and forward core logs (``Python::attach`` in the bridge's ``runtime.rs``). The SDK
has no way to close a client or its runtime, so those threads are still there when the interpreter
finalizes. When one of them touches Python at that moment, CPython aborts the process after the
command's output: ``Fatal Python error: PyGILState_Release: thread state ... must be current when
releasing`` and SIGABRT (sdk-python#300, open upstream). Seen here on a loaded machine in 7 of 60
runs of a bare client script and in 5 of 240 runs of the greeting app's starter.

So a command that may have opened a client ends through :func:`run_command`: once its output and
logs are flushed, the process exits with the command's status and skips interpreter finalization,
the only step that can abort.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

INTERRUPTED_STATUS = 130  # what a shell reports for a command stopped by Ctrl-C


def exit_now(status: int) -> NoReturn:
    """Flush what the command wrote (streams, logging handlers), then end the process with
    ``status`` without finalizing the interpreter (see the module docstring for why)."""
    with contextlib.suppress(Exception):
        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def run_command(main: Callable[[], object]) -> NoReturn:
    """Run a command's ``main`` and end the process the way ``sys.exit(main())`` would, with the
    same status and messages, but through :func:`exit_now`."""
    try:
        status = _status(main())
    except SystemExit as exc:
        status = _status(exc.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        status = INTERRUPTED_STATUS
    except BaseException:
        traceback.print_exc()
        status = 1
    exit_now(status)


def _status(code: object) -> int:
    """``sys.exit``'s rules: None is success, an int is the status, anything else is printed and
    counts as a failure."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
