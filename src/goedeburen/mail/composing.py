"""Compose an outbox mail: pick its text (the organiser's, a mailing's or the default), fill
in the placeholders in the mail's language, and add its attachments. Reads only; the services
store the result."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import translation

from goedeburen.events.calendar import (
    cancellation_calendar,
    event_calendar,
    event_sequence,
    personal_calendar,
    personal_uids,
    withdrawn_entries,
)
from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from . import placeholders, programme, queries
from .enums import ATTENDEE_KINDS, NON_ESSENTIAL_KINDS, MailKind
from .exceptions import NOT_CONFIRMED, NOTHING_TO_RENDER, SOMEONE_ELSE, MailError
from .models import Mailing, OutgoingMail
from .rendering import RenderedMail, default_subject, render_custom, render_default, unpack_context

# Django adds the charset of a text part (utf-8) itself.
ICS = "text/calendar; method=PUBLISH"
ICS_CANCEL = "text/calendar; method=CANCEL"
# The kinds that carry the event's calendar file; the personal programme carries its own.
WITH_EVENT_CALENDAR = frozenset({MailKind.CONFIRMATION, MailKind.APPROVED, MailKind.PRACTICAL_INFO})
# The kinds that take out of the booker's calendar what it holds but no longer should (a
# cancelled registration or attendee, a session no longer theirs), with a METHOD:CANCEL
# file of its own: one iCalendar object has one METHOD, so it cannot ride in the PUBLISH.
WITH_CANCELLATIONS = WITH_EVENT_CALENDAR | {
    MailKind.PERSONAL_PROGRAMME,
    MailKind.CANCELLATION,
    MailKind.ATTENDEE_CANCELLED,
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


# Other apps' files for a mail: `fn(kind, event=…, registration=…, attendee=…)` returns
# attachments (check-in: the tickets with a confirmation, the certificates with the
# thank-you, the new person's ticket with a substitute's mail and their ticket mail).
# `attendee` is the one the mail is for (`ATTENDEE_KINDS`), or None for a mail to the booker.
_ATTACHMENT_SOURCES: list = []


def register_attachments(source) -> None:
    """Add `source` to the files `attachments_for` gives (once, however often called)."""
    if source not in _ATTACHMENT_SOURCES:
        _ATTACHMENT_SOURCES.append(source)


@dataclass(frozen=True)
class Composed:
    rendered: RenderedMail
    attachments: list[Attachment] = field(default_factory=list)


def compose(mail: OutgoingMail, *, registration: Registration | None = None) -> Composed:
    """Return the subject, bodies and attachments of an unrendered outbox mail.

    `registration` is the mail's registration when the caller loaded it already.
    """
    context = unpack_context(mail.context)
    attendee = None
    if mail.registration_id is not None and registration is None:
        registration = _registrations([mail.registration_id])[mail.registration_id]
    if registration is None and mail.kind != MailKind.MAILING:
        # (A registration the batch loaded is the mail's: only a mailing goes without one.)
        raise MailError(NOTHING_TO_RENDER, code="nothing_to_render")
    if context.get("attendee") and registration is not None:
        attendee = next(
            (a for a in registration.attendees.all() if a.pk == context["attendee"]), None
        )
    if (
        mail.kind in ATTENDEE_KINDS
        and context.get("attendee")
        and (
            attendee is None
            or context.get("attendee_binding") != placeholders.attendee_binding(attendee)
        )
    ):
        # Someone else went instead (or the attendee was cancelled) after it was queued:
        # rendered now, it would give this person the next one's file, link and ticket (or
        # the booker's link, with the attendee gone).
        raise MailError(SOMEONE_ELSE, code="someone_else")
    if mail.kind == MailKind.SUBSTITUTE_TICKET and (
        registration is None or registration.status != RegistrationStatus.CONFIRMED
    ):
        # Cancelled after it was queued (and taken by a worker before the cancellation's
        # receiver could cancel it): a ticket mail without a valid ticket helps no one.
        raise MailError(NOT_CONFIRMED, code="not_confirmed")
    mailing = mail.mailing if mail.mailing_id else None
    essential = mailing.essential if mailing else mail.kind not in NON_ESSENTIAL_KINDS
    with translation.override(mail.language):
        rendered = compose_text(
            mail.event,
            kind=mail.kind,
            language=mail.language,
            registration=registration,
            attendee=attendee,
            recipient=mail.recipient,
            context=context,
            mailing=mailing,
            essential=essential,
        )
        attachments = attachments_for(
            mail.kind, event=mail.event, registration=registration, attendee=attendee
        )
        if mail.kind == MailKind.REPLACED and registration is not None:
            attachments.extend(
                _replaced_cancellation(mail.event, registration, mail.recipient, context)
            )
    return Composed(rendered, attachments)


def registrations_for(mails: list[OutgoingMail]) -> dict[int, Registration]:
    """Return the registrations of the unrendered `mails` by id, loaded as `compose` needs."""
    return _registrations({m.registration_id for m in mails if m.rendered_at is None} - {None})


def _registrations(pks) -> dict[int, Registration]:
    # What the placeholders read: the registration, its event and venue, its attendees with
    # their tickets (not their answers: no mail shows those).
    if not pks:
        return {}
    attendees = Attendee.objects.select_related("ticket_type")
    return (
        Registration.objects.select_related("event__venue")
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .in_bulk(list(pks))
    )


def compose_text(
    event: Event,
    *,
    kind: str,
    language: str,
    registration: Registration | None,
    attendee: Attendee | None = None,
    recipient: str = "",
    context: dict | None = None,
    mailing: Mailing | None = None,
    essential: bool = True,
    subject: str | None = None,
    body: str | None = None,
) -> RenderedMail:
    """Return the `kind` mail for `registration` in the active language.

    The text is `subject` and `body` when given (a preview of unsaved text), else the
    mailing's, else the organiser's template for `kind` and `language`, else the default.
    """
    context = context or {}
    source = placeholders.Source(
        event=event,
        registration=registration,
        attendee=attendee,
        recipient=recipient or (registration.email if registration else ""),
        context=context,
    )
    if subject is None and mailing is not None:
        subject, body = mailing_text(mailing, language=language)
    if subject is None:
        template = queries.template_for(event, kind=kind, language=language)
        if template is not None:
            subject, body = template.subject, template.body
    if subject is not None:
        values = placeholders.values_for(source, only=placeholders.used_in(subject, body or ""))
        if essential:
            values["unsubscribe_url"] = ""
        return render_custom(subject, body or "", values=values)
    values = placeholders.values_for(source)
    if essential:
        values["unsubscribe_url"] = ""
    extra = {
        key: value for key, value in context.items() if key not in ("manage_token", "offer_token")
    }
    extra["has_manage_token"] = bool(context.get("manage_token"))
    # Whether the tickets go with it (check-in's attachments follow the same rule).
    extra["confirmed"] = (
        registration is not None and registration.status == RegistrationStatus.CONFIRMED
    )
    return render_default(kind, values=values, extra=extra)


def mailing_text(mailing: Mailing, *, language: str) -> tuple[str, str]:
    """Return the mailing's subject and body in `language`, or in Dutch when it has none."""
    if language == "en" and mailing.subject_en and mailing.body_en:
        return mailing.subject_en, mailing.body_en
    return mailing.subject_nl, mailing.body_nl


def attachments_for(
    kind: str, *, event: Event, registration: Registration | None, attendee: Attendee | None = None
) -> list[Attachment]:
    """Return the files that go with a `kind` mail: calendar files, and those of the
    registered sources (`register_attachments`).

    The mail to a colleague who goes instead of an attendee (`attendee`, the row as it is
    now) carries that attendee's own file: the event and their sessions, with UIDs of
    their own (`placeholders.attendee_calendar_owner`), never the booker's.
    """
    found = []
    if kind == MailKind.SUBSTITUTE and registration is not None and attendee is not None:
        found.append(Attachment(f"{event.slug}.ics", attendee_calendar(attendee), ICS))
    entries = []
    if registration is not None and kind in WITH_CANCELLATIONS:
        entries = programme.entries_for(registration)
    if kind in WITH_EVENT_CALENDAR:
        # The event, and the sessions the person attends once they are known: never the
        # whole programme (parallel sessions would all land in their calendar).
        if registration is None:
            content = event_calendar(event)
        else:
            content = personal_calendar(
                event, entries, owner=registration.code, name=registration.booker_name
            )
        found.append(Attachment(f"{event.slug}.ics", content, ICS))
    if kind == MailKind.PERSONAL_PROGRAMME and registration is not None and entries:
        content = personal_calendar(
            event, entries, owner=registration.code, name=registration.booker_name
        )
        found.append(Attachment(f"{event.slug}-{registration.code}.ics", content, ICS))
    if registration is not None and kind in WITH_CANCELLATIONS:
        found.extend(_cancellations(kind, event=event, registration=registration, entries=entries))
    for source in _ATTACHMENT_SOURCES:
        found.extend(source(kind, event=event, registration=registration, attendee=attendee))
    return found


def attendee_calendar(attendee: Attendee) -> bytes:
    """Return one attendee's own calendar file in the active language: the event and their
    sessions, with UIDs of their own (`placeholders.attendee_calendar_owner`)."""
    registration = attendee.registration
    return personal_calendar(
        registration.event,
        programme.entries_for(registration, attendee=attendee),
        owner=placeholders.attendee_calendar_owner(attendee),
        name=attendee.full_name,
    )


def _cancellations(kind, *, event, registration, entries) -> list[Attachment]:
    # Everything sent before goes once the registration is cancelled; otherwise what the
    # personal file holds now stays (its event entry, the sessions placed now).
    cancelled = kind == MailKind.CANCELLATION or registration.status == RegistrationStatus.CANCELLED
    keep = set() if cancelled else personal_uids(event, entries, owner=registration.code)
    withdrawn = withdrawn_entries(
        queries.calendar_files_sent(registration), keep=keep, version=event_sequence(event)
    )
    if not withdrawn or not registration.email:
        return []
    content = cancellation_calendar(event, withdrawn, attendee=registration.email)
    return [Attachment(f"{event.slug}-{registration.code}-cancelled.ics", content, ICS_CANCEL)]


def _replaced_cancellation(event, registration, recipient, context) -> list[Attachment]:
    # The person someone else goes instead of may hold their own calendar file: mailed to
    # them (when they went instead of someone themselves) or downloaded through their own
    # link (a mailing's). Its UIDs are theirs alone (`placeholders.calendar_owner`, from
    # their old ticket secret): cancel those of every file the registration's mails carried,
    # and those their link gave, the place's entries as they are now.
    if not context.get("previous_binding") or not context.get("place"):
        return []
    owner = placeholders.calendar_owner(
        code=registration.code, attendee_id=context["place"], binding=context["previous_binding"]
    )
    place = next((a for a in registration.attendees.all() if a.pk == context["place"]), None)
    entries = programme.entries_for(registration, attendee=place) if place is not None else []
    files = [
        *queries.calendar_files_sent(registration),
        personal_calendar(event, entries, owner=owner, name=context.get("recipient_name", "")),
    ]
    theirs = f"{owner}-"
    withdrawn = [
        entry
        for entry in withdrawn_entries(files, keep=set(), version=event_sequence(event))
        if entry.uid.startswith(theirs)
    ]
    if not withdrawn:
        return []
    content = cancellation_calendar(event, withdrawn, attendee=recipient)
    return [Attachment(f"{event.slug}-cancelled.ics", content, ICS_CANCEL)]


def starter_text(kind: str, *, language: str) -> tuple[str, str]:
    """Return the default subject and text of `kind` with placeholders instead of values.

    The organiser's editor starts from this; the footer (event, contact address, opt-out
    link) is left out because the layout of every mail adds it.
    """
    tokens = {name: f"{{{{ {name} }}}}" for name in placeholders.names()}
    with translation.override(language):
        subject = default_subject(kind) % {"code": tokens["code"], "event": tokens["event"]}
        rendered = render_default(kind, values=tokens, extra={"has_manage_token": True})
    body = rendered.text.split("\n--\n")[0].strip() + "\n"
    return subject, body
