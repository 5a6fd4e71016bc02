"""What the learner sees: signal panels and query views, the update form, event history pictures,
the replay theatre.

Widgets set values, they don't print: background work updates ``.value`` of HTML widgets.
"""

from .actionbar import Action, ActionBar
from .forms import UpdateForm, rejection_message
from .history import History, fetch_history, ui_link
from .panels import QueryView, SignalButton, SignalPanel, query_view, signal_panel
from .theatre import ReplayTheatre, replay_theatre

__all__ = [
    "Action",
    "ActionBar",
    "History",
    "QueryView",
    "ReplayTheatre",
    "SignalButton",
    "SignalPanel",
    "UpdateForm",
    "fetch_history",
    "query_view",
    "rejection_message",
    "replay_theatre",
    "signal_panel",
    "ui_link",
]
