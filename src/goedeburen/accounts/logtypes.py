"""The log actions of signing in and of personal-data exports, with their sentences."""

from django.utils.translation import gettext_lazy

from goedeburen.common.logtypes import LogType, registry

_KINDS = {
    "app": gettext_lazy("an authenticator app"),
    "passkey": gettext_lazy("a passkey"),
    "recovery": gettext_lazy("recovery codes"),
}
# What an export holds, by the key its view logs.
EXPORTS = {
    "invoices": gettext_lazy("invoices"),
    "history": gettext_lazy("the history"),
    "registrations": gettext_lazy("registrations"),
    "attendees": gettext_lazy("attendees"),
    "payments": gettext_lazy("payments"),
    "bank_lines": gettext_lazy("bank statement lines"),
    "waiting_list": gettext_lazy("the waiting list"),
    "session_lists": gettext_lazy("session lists"),
    "ticket_letters": gettext_lazy("letters with tickets"),
    "certificates": gettext_lazy("certificates of attendance"),
}


class SecondFactorLogType(LogType):
    """`kind` is "app", "passkey" or "recovery", shown in words."""

    def values(self, data, *, show_sensitive):
        values = super().values(data, show_sensitive=show_sensitive)
        values["kind"] = str(_KINDS.get(data.get("kind"), data.get("kind") or ""))
        return values


class ExportLogType(LogType):
    """`what` (or `list`) is a key of `EXPORTS` (another app may log its own words)."""

    def values(self, data, *, show_sensitive):
        values = super().values(data, show_sensitive=show_sensitive)
        for key in ("what", "list"):
            values[key] = str(EXPORTS.get(data.get(key), data.get(key) or ""))
        return values


def register() -> None:
    person = frozenset({"user", "ip"})
    registry.register(
        LogType(
            action="login.succeeded",
            sentence=gettext_lazy("%(user)s signed in"),
            personal=person,
            example={"user": "ada", "ip": "192.0.2.1"},
        ),
        LogType(
            action="login.failed",
            sentence=gettext_lazy("Failed sign-in as %(user)s (wrong password)"),
            personal=person,
            example={"user": "ada", "ip": "192.0.2.1"},
        ),
        LogType(
            action="login.locked",
            sentence=gettext_lazy("%(user)s locked out after too many failed sign-ins"),
            personal=person,
            example={"user": "ada", "ip": "192.0.2.1"},
        ),
        LogType(
            action="login.unlocked",
            sentence=gettext_lazy("Lockout of %(user)s lifted"),
            personal=person,
            example={"user": "ada"},
        ),
        LogType(
            action="login.password_reset",
            sentence=gettext_lazy("%(user)s chose a new password through the mailed link"),
            personal=person,
            example={"user": "ada"},
        ),
        LogType(
            action="login.second_factor_failed",
            sentence=gettext_lazy("%(user)s entered a wrong second-factor code"),
            personal=person,
            example={"user": "ada"},
        ),
        SecondFactorLogType(
            action="second_factor.added",
            sentence=gettext_lazy("%(user)s set up %(kind)s as a second factor"),
            personal=person,
            example={"user": "ada", "kind": "app"},
        ),
        SecondFactorLogType(
            action="second_factor.removed",
            sentence=gettext_lazy("%(user)s removed %(kind)s as a second factor"),
            personal=person | {"name"},
            example={"user": "ada", "kind": "passkey", "name": "Laptop"},
        ),
        LogType(
            action="second_factor.recovery_codes",
            sentence=gettext_lazy("%(user)s made new recovery codes"),
            personal=person,
            example={"user": "ada"},
        ),
        ExportLogType(
            action="export.downloaded",
            sentence=gettext_lazy("Personal data downloaded: %(what)s (%(rows)s rows)"),
            example={"what": "invoices", "rows": 12},
        ),
        ExportLogType(
            action="export_preset.saved",
            sentence=gettext_lazy("Export preset %(name)s saved for the export of %(list)s"),
            example={"name": "Catering", "list": "attendees", "shared": True},
        ),
        ExportLogType(
            action="export_preset.renamed",
            sentence=gettext_lazy(
                "Export preset %(before)s of the export of %(list)s renamed to %(name)s"
            ),
            example={"before": "Catering", "name": "Caterer", "list": "attendees"},
        ),
        ExportLogType(
            action="export_preset.deleted",
            sentence=gettext_lazy("Export preset %(name)s of the export of %(list)s deleted"),
            example={"name": "Catering", "list": "attendees"},
        ),
    )
