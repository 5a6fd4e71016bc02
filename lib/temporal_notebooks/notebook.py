"""What a lesson notebook imports in its first cell: ``from temporal_notebooks.notebook import *``.

It gathers the runtime (server, worker, errors, exercises) and the widgets a learner sees, and
installs the notebook hooks: the ``%%module_file`` / ``%solution`` / ``%temporal_notebooks`` magics
and one-line errors.
"""

from . import lesson_messages  # noqa: F401  (which cell sends what a waiting run waits for)
from .commands import register_command_magic
from .runtime import *  # noqa: F403
from .runtime import __all__ as _runtime_all
from .runtime import install_notebook_handler, register_magics
from .widgets import History, fetch_history, replay_theatre, ui_link

register_magics()
register_command_magic()  # %temporal_notebooks smoke | server status | ...: the terminal commands
install_notebook_handler()

__all__ = [*_runtime_all, "History", "fetch_history", "replay_theatre", "ui_link"]
