"""What makes the notebooks work: server connection, in-kernel workers, results that never hang,
one-line errors, learner-scoped names, exercise plumbing. It names no lesson.

No workflow module imports anything from here: the sandbox re-imports workflow modules for
every run, so they stay small and free of runtime machinery.
"""

from .cli import CliOutput, temporal_cli
from .connection import ServerInfo, connect, current_info, server_info
from .converters import client_with_converter
from .environment import check_environment
from .errors import (
    NotebookError,
    ShownError,
    WorkflowTaskFailedError,
    attempt,
    exercise_check,
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
    solution_button,
    workflow_type_name,
    write_module,
)
from .learner import learner_id, scoped
from .names import RegisteredNames, registered_names
from .results import say_who_sends
from .visibility import (
    ensure_search_attributes,
    listed,
    schedule_actions,
    ui_query_link,
    ui_schedule_link,
)
from .worker import (
    run_script_in_background,
    running_workers,
    start_worker,
    stop_all_workers,
    stop_worker,
)

__all__ = [
    "CheckResult",
    "CliOutput",
    "NotebookError",
    "RegisteredNames",
    "ServerInfo",
    "ShownError",
    "WorkflowTaskFailedError",
    "attempt",
    "check_environment",
    "client_with_converter",
    "connect",
    "current_info",
    "exercise_check",
    "ensure_search_attributes",
    "explain",
    "install_notebook_handler",
    "learner_id",
    "listed",
    "not_yet",
    "passed",
    "register_magics",
    "registered_names",
    "run_exercise_workflow",
    "run_script_in_background",
    "running_workers",
    "say_who_sends",
    "schedule_actions",
    "scoped",
    "server_info",
    "show_code",
    "solution_button",
    "start_worker",
    "stop_all_workers",
    "stop_worker",
    "temporal_cli",
    "ui_query_link",
    "ui_schedule_link",
    "workflow_type_name",
    "write_module",
]
