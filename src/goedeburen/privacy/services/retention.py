"""The retention job: what the privacy statement promises, done by itself every day.

Per event, from its privacy settings: the special-category data (dietary wishes,
accessibility needs, answers to special-category questions) is erased N days after the
event; M months after it every registration is anonymised (`erase_registration` with
reason "retention"), the event's outbox and opt-outs go, and the personal fields of the
event's log entries are scrubbed. Invoices stay 7 years after their year, then go
(`payments.services.retention`); the one-time keys of back-office forms after two days
(`common.sent_once`). Each run reports what it erased; a second run finds
nothing left to do.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from goedeburen.common import sent_once
from goedeburen.common.audit import log_action
from goedeburen.common.models import LogEntry
from goedeburen.events.models import Event
from goedeburen.mail.models import MailAttachment, OptOut, OutgoingMail
from goedeburen.payments.services import retention as invoice_retention
from goedeburen.registration import services as registration_services
from goedeburen.registration.models import Attendee, Registration

from .. import queries
from ..models import INVOICE_RETENTION_YEARS, Erasure
from ..parts import ERASED_MAIL
from .erasure import erase_registration, scrub_log


@dataclass
class RetentionReport:
    """What one run erased: lines of (event or "", what, how many)."""

    lines: list[tuple[str, str, int]] = field(default_factory=list)

    def add(self, event, what: str, count: int) -> None:
        if count:
            self.lines.append((str(event or ""), what, count))

    @property
    def total(self) -> int:
        return sum(count for _, _, count in self.lines)


def apply_retention(*, now: dt.datetime | None = None) -> RetentionReport:
    """Erase what the retention periods say is due at `now`; return what was erased.

    Side effects: see the module; a log entry `privacy.retention_applied` per event with
    the counts (only when something was erased).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = RetentionReport()
    for event in Event.objects.filter(date__lt=today).select_related("organiser").order_by("pk"):
        settings = queries.privacy_settings(event)
        counts = {}
        if settings.special_category_due(event) <= today:
            counts["special_category"] = _erase_special_categories(event)
        if settings.anonymise_due(event) <= today:
            counts.update(_anonymise(event, now=now))
        counts = {key: value for key, value in counts.items() if value}
        for key, value in counts.items():
            report.add(event, key, value)
        if counts:
            log_action(event, action="privacy.retention_applied", data=counts)
    kept_from = today.year - INVOICE_RETENTION_YEARS
    report.add("", "invoices", invoice_retention.purge_invoices(kept_from_year=kept_from))
    report.add("", "sent_forms", sent_once.purge(now=now))
    return report


def _erase_special_categories(event: Event) -> int:
    attendees = (
        Attendee.objects.filter(registration__event=event)
        .filter(
            ~Q(dietary_wishes="")
            | ~Q(accessibility_needs="")
            | Q(answers__question__special_category=True)
        )
        .distinct()
        .order_by("registration_id", "pk")
    )
    by_registration: dict[int, list[int]] = {}
    for registration_id, pk in attendees.values_list("registration_id", "pk"):
        by_registration.setdefault(registration_id, []).append(pk)
    for registration in Registration.objects.filter(pk__in=by_registration).order_by("pk"):
        registration_services.change_registration(
            registration,
            by=None,
            attendees={
                pk: {"dietary_wishes": "", "accessibility_needs": ""}
                for pk in by_registration[registration.pk]
            },
            erasure="special_category",
        )
    return sum(len(pks) for pks in by_registration.values())


def _anonymise(event: Event, *, now) -> dict[str, int]:
    erased = Erasure.objects.filter(registration__event=event).values("registration_id")
    due = Registration.objects.filter(event=event).exclude(pk__in=erased).order_by("pk")
    registrations = 0
    for registration in due:
        erase_registration(registration, by=None, reason="retention", now=now)
        registrations += 1
    # `last_error` too: a server's refusal often names the address it refused.
    mails = OutgoingMail.objects.filter(event=event).exclude(
        recipient="", reply_to="", subject="", body_text="", body_html="", last_error=""
    )
    mail_count = mails.update(**ERASED_MAIL)
    attachments = MailAttachment.objects.filter(mail__event=event).delete()[0]
    opt_outs = OptOut.objects.filter(event=event).delete()[0]
    log_entries = scrub_log([], entries=LogEntry.objects.filter(event=event))
    return {
        "registrations": registrations,
        "mails": mail_count,
        "mail_attachments": attachments,
        "opt_outs": opt_outs,
        "log_entries": log_entries,
    }
