"""What makes the notebooks work: server connection, in-kernel workers, widgets, history views.

No workflow module imports anything from here: the sandbox re-imports workflow modules for
every run, so they stay small and free of runtime machinery.
"""

from .connection import ServerInfo, connect, current_info, server_info
from .environment import check_environment
from .errors import (
    NotebookError,
    ShownError,
    WorkflowTaskFailedError,
    attempt,
    explain,
    install_notebook_handler,
)
from .exercises import (
    CheckResult,
    not_yet,
    passed,
    register_magics,
    run_exercise_workflow,
    show_code,
    workflow_type_name,
    write_module,
)
from .history import History, fetch_history, ui_link
from .learner import learner_id, scoped
from .worker import (
    run_script_in_background,
    running_workers,
    start_worker,
    stop_all_workers,
    stop_worker,
)

register_magics()
install_notebook_handler()

__all__ = [
    "CheckResult",
    "History",
    "NotebookError",
    "ServerInfo",
    "ShownError",
    "WorkflowTaskFailedError",
    "attempt",
    "check_environment",
    "connect",
    "current_info",
    "explain",
    "fetch_history",
    "learner_id",
    "not_yet",
    "passed",
    "run_exercise_workflow",
    "run_script_in_background",
    "running_workers",
    "scoped",
    "server_info",
    "show_code",
    "start_worker",
    "stop_all_workers",
    "stop_worker",
    "ui_link",
    "workflow_type_name",
    "write_module",
]
