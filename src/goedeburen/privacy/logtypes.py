"""The log actions of the privacy domain, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, registry


class Retention(LogType):
    """What one run of the retention job erased for an event; data: counts per part."""

    LABELS = {
        "special_category": _("attendees' special-category data"),
        "registrations": _("registrations anonymised"),
        "mails": _("mails emptied"),
        "mail_attachments": _("mail attachments"),
        "opt_outs": _("opt-outs"),
        "log_entries": _("log entries scrubbed"),
    }

    def values(self, data, *, show_sensitive):
        parts = [f"{self.LABELS.get(key, key)}: {value}" for key, value in sorted(data.items())]
        return {"counts": "; ".join(parts)}


class Erased(LogType):
    """A registration's personal data erased; data `{"reason": "request" | "retention"}`."""

    def values(self, data, *, show_sensitive):
        if data.get("reason") == "retention":
            return {"reason": _("the retention period ended")}
        return {"reason": _("on request")}


def register() -> None:
    registry.register(
        Retention(
            action="privacy.retention_applied",
            sentence=_("Retention period ended, erased: %(counts)s"),
            example={"special_category": 3, "registrations": 2},
        ),
        Erased(
            action="privacy.erased",
            sentence=_("Personal data erased (%(reason)s)"),
            example={"reason": "request", "kept": ["invoice_duty"]},
        ),
        LogType(
            action="privacy.erasure_requested",
            sentence=_("Erasure of the personal data asked for"),
            example={"source": "personal_page"},
        ),
        LogType(
            action="privacy.erasure_refused",
            sentence=_("Erasure request closed without erasing"),
        ),
        LogType(
            action="privacy.settings_saved",
            sentence=_(
                "Retention periods saved: special-category data after %(special_category_days)s "
                "days, anonymisation after %(anonymise_months)s months"
            ),
            example={"special_category_days": 30, "anonymise_months": 24},
        ),
        LogType(
            action="privacy.statement_saved",
            sentence=_("Privacy statement saved as version %(version)s"),
            example={"version": 2},
        ),
    )
