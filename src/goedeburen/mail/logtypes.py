"""The log actions of mails, templates and mailings, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, StatusChange, registry

from .enums import MailKind, MailState


class MailKindType(LogType):
    """A sentence naming a mail's kind (`%(kind)s`, its label)."""

    def values(self, data, *, show_sensitive):
        values = super().values(data, show_sensitive=show_sensitive)
        kind = data.get("kind")
        if kind in MailKind.values:
            values["kind"] = str(MailKind(kind).label)
        return values


class MailStateChange(StatusChange):
    """A mail's state change, data `{"state": [before, after]}`."""

    def values(self, data, *, show_sensitive):
        return super().values({**data, "status": data.get("state")}, show_sensitive=show_sensitive)


def register() -> None:
    registry.register(
        LogType(
            action="mail.sent",
            sentence=_("Mail sent (attempt %(attempt)s)"),
            example={"attempt": 1},
        ),
        LogType(
            action="mail.failed",
            sentence=_("Mail not sent (attempt %(attempt)s): %(error)s"),
            # The receiving server's reply often names the address it refused.
            personal=frozenset({"error"}),
            moments=("next_attempt_at",),
            example={"attempt": 2, "error": "421", "next_attempt_at": None},
        ),
        LogType(
            action="mail.opted_out",
            sentence=_("Mail not sent: the address opted out of such mail since it was queued"),
        ),
        MailStateChange(
            action="mail.retried",
            sentence=_("Mail queued again (was “%(from)s”)"),
            states=MailState,
            example={"state": ["failed", "queued"]},
        ),
        MailStateChange(
            action="mail.cancelled",
            sentence=_("Mail cancelled (was “%(from)s”)"),
            states=MailState,
            example={"state": ["queued", "cancelled"]},
        ),
        MailKindType(
            action="mail.template_saved",
            sentence=_("Mail text “%(kind)s” (%(language)s) saved"),
            example={"kind": "confirmation", "language": "nl", "created": True},
        ),
        MailKindType(
            action="mail.template_reset",
            sentence=_("Mail text “%(kind)s” (%(language)s) reset to the standard text"),
            example={"kind": "confirmation", "language": "nl"},
        ),
        MailKindType(
            action="mail.test_sent",
            sentence=_("Test mail “%(kind)s” sent"),
            personal=frozenset({"to"}),
            example={"kind": "confirmation", "to": "ada@example.org"},
        ),
        LogType(action="mail.settings_saved", sentence=_("Mail settings saved")),
        LogType(
            action="mail.publication_uploaded",
            sentence=_("Publication uploaded"),
            example={"size": 1024},
        ),
        LogType(action="mailing.saved", sentence=_("Mailing saved"), example={"created": True}),
        LogType(action="mailing.started", sentence=_("Mailing started")),
        LogType(
            action="mailing.deleted",
            sentence=_("Draft mailing deleted: %(subject)s"),
            example={"subject": "Nieuws"},
        ),
    )
