"""The log actions of session assignment, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, registry

from .models import RunStatus


class RunDone(LogType):
    def values(self, data, *, show_sensitive):
        values = super().values(data, show_sensitive=show_sensitive)
        status = data.get("status")
        if status in RunStatus.values:
            values["status"] = str(RunStatus(status).label)
        return values


def register() -> None:
    registry.register(
        LogType(
            action="matching.published",
            sentence=_("Assignment published; %(mails)s personal programmes mailed"),
            example={"run": 1, "mails": 40},
        ),
        LogType(
            action="matching.ranked",
            sentence=_("Session preferences saved"),
            example={"1": [3, 4]},
        ),
        LogType(action="matching.rules_changed", sentence=_("Assignment rules changed")),
        LogType(
            action="matching.pinned",
            sentence=_("Attendee fixed to a session"),
            example={"session": 3},
        ),
        LogType(
            action="matching.unpinned",
            sentence=_("Attendee no longer fixed to a session"),
            example={"session": 3},
        ),
        LogType(
            action="matching.host_linked",
            sentence=_("Login %(user)s linked to a session as its host"),
            personal=frozenset({"user"}),
            example={"session": 3, "user": "host"},
        ),
        LogType(
            action="matching.host_unlinked",
            sentence=_("Login %(user)s no longer a session's host"),
            personal=frozenset({"user"}),
            example={"session": 3, "user": "host"},
        ),
        LogType(
            action="matching.run_started",
            sentence=_("Assignment run %(run)s started"),
            example={"run": 1},
        ),
        LogType(
            action="matching.run_failed",
            sentence=_("Assignment run %(run)s failed"),
            example={"run": 1},
        ),
        RunDone(
            action="matching.run_done",
            sentence=_("Assignment run %(run)s finished: %(status)s"),
            example={"run": 1, "status": "done", "objective": 12},
        ),
        LogType(
            action="matching.moved",
            sentence=_("Attendee moved to another session in run %(run)s"),
            example={"run": 1, "attendee": 1, "session": [3, 4]},
        ),
    )
