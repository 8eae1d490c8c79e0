"""Reads of the outbox, the templates, the mail settings and the mailings that screens share."""

import datetime as dt

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from .addresses import OptedOut, opt_out_address
from .enums import MailState
from .models import MailAttachment, Mailing, MailSettings, MailTemplate, OptOut, OutgoingMail


def outbox(event: Event, *, state: str = "") -> QuerySet[OutgoingMail]:
    """Return the event's outgoing mail, newest first; only those in `state` when given."""
    mails = OutgoingMail.objects.filter(event=event).select_related("registration")
    if state in MailState.values:
        mails = mails.filter(state=state)
    return mails.defer("body_text", "body_html", "context")


def mails_of(registration: Registration) -> QuerySet[OutgoingMail]:
    """Return the mails about `registration`, newest first, without their bodies."""
    return OutgoingMail.objects.filter(registration=registration).defer(
        "body_text", "body_html", "context"
    )


def calendar_files_sent(registration: Registration) -> list[bytes]:
    """Return the calendar files the registration's mails carried (not those of mails
    cancelled before they went), oldest first: what its booker's calendar may hold."""
    contents = (
        MailAttachment.objects.filter(
            mail__registration=registration, content_type__startswith="text/calendar"
        )
        .exclude(mail__state=MailState.CANCELLED)
        .order_by("pk")
        .values_list("content", flat=True)
    )
    return [bytes(content) for content in contents]


def mail_settings(event: Event) -> MailSettings:
    """Return the event's mail settings; the defaults (unsaved) when it has none."""
    found = MailSettings.objects.filter(event=event).first()
    return found or MailSettings(event=event)


def template_for(event: Event, *, kind: str, language: str) -> MailTemplate | None:
    """Return the organiser's own text for `kind` in `language`, or None for the default."""
    return MailTemplate.objects.filter(event=event, kind=kind, language=language).first()


def templates(event: Event) -> dict[tuple[str, str], MailTemplate]:
    """Return the organiser's own texts of the event by (kind, language)."""
    return {(t.kind, t.language): t for t in MailTemplate.objects.filter(event=event)}


def is_opted_out(event: Event, email: str) -> bool:
    """Return whether `email` wants no more non-essential mail about `event`.

    Written out: every booking asks (for its consent record of mailings), and the ORM's
    `exists()` costs more CPU to build than to run (tests/mail/test_queries.py compares).
    """
    qn = connection.ops.quote_name
    sql = (
        f"SELECT 1 FROM {qn(OptOut._meta.db_table)} "  # noqa: S608 - the model's table name
        f"WHERE {qn('event_id')} = %s AND {qn('email')} = %s LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, opt_out_address(email)])
        return cursor.fetchone() is not None


def opted_out_addresses(event: Event) -> OptedOut:
    """Return the addresses that opted out of the event's non-essential mail; `in` compares
    any spelling of an address (`addresses.opt_out_address`)."""
    return OptedOut(OptOut.objects.filter(event=event).values_list("email", flat=True))


def publication_available(event: Event, *, now: dt.datetime | None = None) -> bool:
    """Return whether the event has ended and its publication is uploaded."""
    now = now or timezone.now()
    return bool(mail_settings(event).publication) and event.ends_at() <= now


def gets_publication(registration: Registration, *, now: dt.datetime | None = None) -> bool:
    """Return whether `registration` may download the publication now.

    Only a confirmed registration with an attendee whose ticket type includes it, and only
    after the event (the publication is handed out at the end of the day).
    """
    settings = mail_settings(registration.event)
    if not publication_available(registration.event, now=now) or settings.pk is None:
        return False
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    included = settings.publication_ticket_types.values_list("pk", flat=True)
    return registration.attendees.filter(ticket_type__in=included).exists()


def mailings(event: Event) -> QuerySet[Mailing]:
    """Return the event's mailings, newest first, with how many of their mails went out."""
    return (
        Mailing.objects.filter(event=event)
        .order_by("-created", "-pk")
        .annotate(sent_count=Count("mails", filter=Q(mails__state=MailState.SENT)))
    )


def mailing_progress(mailing: Mailing) -> dict[str, int]:
    """Return how many of the mailing's mails are in each state, and in all.

    Of the failed ones, `given_up` are not tried again (refused for good, or out of
    attempts) and `retrying` wait for their next attempt.
    """
    rows = (
        mailing.mails.order_by()
        .values("state")
        .annotate(count=Count("pk"), given_up=Count("pk", filter=Q(next_attempt_at=None)))
    )
    counts = {row["state"]: row["count"] for row in rows}
    progress = {state: counts.get(state, 0) for state in MailState.values}
    progress["given_up"] = sum(r["given_up"] for r in rows if r["state"] == MailState.FAILED)
    progress["retrying"] = progress[MailState.FAILED] - progress["given_up"]
    progress["total"] = sum(counts.values())
    progress["done"] = progress[MailState.SENT] + progress[MailState.CANCELLED]
    progress["percent"] = round(100 * progress["done"] / progress["total"]) if counts else 0
    return progress
