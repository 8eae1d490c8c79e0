"""Certificates of attendance, after the event, for everyone who was checked in."""

import datetime as dt
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event
from goedeburen.registration.models import Attendee

from .. import exceptions, queries
from ..exceptions import CheckinError
from ..models import Certificate

# No 0/O, 1/I/L, as in registration codes: read aloud or typed from paper unambiguously.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, GROUP_LENGTH = 3, 4  # XXXX-XXXX-XXXX: 31^12, about 59 bits


def new_code() -> str:
    """Return a random verification code such as `K7QW-3XPA-M9RT`."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_code(text: str) -> str:
    """Return a typed code in its stored form: capitals, dashes between groups of four."""
    plain = "".join(c for c in text.upper() if c in CODE_ALPHABET)
    if len(plain) != CODE_GROUPS * GROUP_LENGTH:
        return ""
    return "-".join(plain[i : i + GROUP_LENGTH] for i in range(0, len(plain), GROUP_LENGTH))


def event_hours(event: Event) -> Decimal:
    """Return the hours a certificate states: the organiser's figure, else start to end."""
    chosen = queries.checkin_settings(event).certificate_hours
    if chosen is not None:
        return chosen
    start = dt.datetime.combine(event.date, event.start_time)
    end = dt.datetime.combine(event.date, event.end_time)
    return (Decimal((end - start).total_seconds()) / 3600).quantize(Decimal("0.1"))


def issue_certificates(event: Event, *, by=None) -> int:
    """Give everyone checked in at the door (or into a session) a certificate; return how
    many were new. Refuse before the event starts or with certificates switched off.

    Running it again issues only the missing ones; a certificate keeps its code, name and
    hours once issued. Side effects: certificate rows; log entry.
    """
    if not queries.checkin_settings(event).certificates:
        raise CheckinError(exceptions.CERTIFICATES_OFF, code="certificates_off")
    if timezone.now() < event.starts_at():
        raise CheckinError(exceptions.NOT_AFTER_START, code="certificates_off")
    hours = event_hours(event)
    attendees = Attendee.objects.filter(pk__in=queries.checked_in_attendee_ids(event)).exclude(
        certificate__isnull=False
    )
    made = [
        Certificate(attendee=a, event=event, code=new_code(), name=a.full_name, hours=hours)
        for a in attendees
    ]
    with transaction.atomic():
        try:
            with transaction.atomic():
                Certificate.objects.bulk_create(made)
        except IntegrityError:
            # Issued at the same moment elsewhere (or, rarely, a code clash): one at a time.
            made = [_issue_one(c) for c in made]
            made = [c for c in made if c is not None]
        if made:
            log_action(
                event, action="checkin.certificates_issued", by=by, data={"count": len(made)}
            )
    return len(made)


def _issue_one(certificate: Certificate) -> Certificate | None:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if Certificate.objects.filter(attendee=certificate.attendee).exists():
                    return None
                certificate.code = new_code()
                certificate.save()
                return certificate
        except IntegrityError:
            continue
    return None
