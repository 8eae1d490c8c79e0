"""Use cases of session choice and assignment: the only code that writes matching's models.

One transaction per use case; background work is enqueued on commit.
"""

from .preferences import (
    link_session_host,
    pin_attendee,
    save_matching_settings,
    save_rankings,
    unlink_session_host,
    unpin_attendee,
)
from .publishing import publish_run, queue_programme_mails
from .runs import execute_run, move_placement, rerun_after_change, start_run

__all__ = [
    "execute_run",
    "link_session_host",
    "move_placement",
    "pin_attendee",
    "publish_run",
    "queue_programme_mails",
    "rerun_after_change",
    "save_matching_settings",
    "save_rankings",
    "start_run",
    "unlink_session_host",
    "unpin_attendee",
]
