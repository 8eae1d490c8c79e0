"""Record consents as they are given and withdrawn, and withdraw one from the personal page.

Every consent is a `ConsentRecord` (append-only) naming the text that was shown: the
privacy statement's version, or the form's sentence (its digest in the language shown).
"""

import hashlib

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from goedeburen.common.rows import insert
from goedeburen.mail import queries as mail_queries
from goedeburen.mail import services as mail_services
from goedeburen.registration import services as registration_services
from goedeburen.registration.models import Attendee, Registration

from .. import exceptions, queries, statement
from ..enums import ConsentKind, ConsentSource
from ..exceptions import PrivacyError
from ..models import ConsentRecord

# The sentences the registration form shows at each consent of an attendee (the same
# msgids as `public.forms.registration`, so the translations are the same text).
ATTENDEE_CONSENTS = {
    ConsentKind.SPECIAL_CATEGORIES: (
        "special_category_consent",
        _(
            "I agree that the organisers use the dietary wishes and accessibility needs "
            "below to arrange catering and access for this event."
        ),
    ),
    ConsentKind.PHOTOS: (
        "photo_consent",
        _("I agree to appear in photos and films of the conference."),
    ),
    ConsentKind.ATTENDEE_LIST: (
        "attendee_list_consent",
        _("Put my name and organisation on the list of attendees."),
    ),
}
MAILINGS_TEXT = _("Mailings from the organisers about this event (you can opt out in every mail)")


def _record(registration, *, attendee=None, kind, given, text, version, source) -> ConsentRecord:
    return ConsentRecord.objects.create(
        **_values(registration, attendee, kind, given, text, version, source)
    )


def _values(registration, attendee, kind, given, text, version, source) -> dict:
    return {
        "registration": registration,
        "attendee": attendee,
        "kind": kind,
        "given": given,
        "version": version,
        "text_digest": hashlib.sha256(text.encode()).hexdigest(),
        "language": registration.language,
        "source": source,
    }


def _text_version(text: str) -> str:
    return "text-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def record_booking_consents(
    registration: Registration, *, attendees=None, source=ConsentSource.FORM
) -> int:
    """Record the consents given when `registration` was made; return how many records.

    `attendees`: its attendees, when the caller has them (the booking does).
    Side effects: a record for the privacy statement (the version shown), for mailings
    (given unless the address opted out) and per attendee for each consent of the form,
    all in one INSERT (this runs inside every booking).
    """
    if attendees is None:
        attendees = list(registration.attendees.all())
    with translation.override(registration.language):
        shown = statement.shown_at_booking(registration.event, language=registration.language)
        mailings = str(MAILINGS_TEXT)
        rows = [
            _values(
                registration,
                None,
                ConsentKind.PRIVACY_STATEMENT,
                True,
                shown.text,
                str(shown.version),
                source,
            ),
            _values(
                registration,
                None,
                ConsentKind.MAILINGS,
                not mail_queries.is_opted_out(registration.event, registration.email),
                mailings,
                _text_version(mailings),
                source,
            ),
        ]
        for attendee in attendees:
            for kind, (field, text) in ATTENDEE_CONSENTS.items():
                shown_text = str(text)
                rows.append(
                    _values(
                        registration,
                        attendee,
                        kind,
                        getattr(attendee, field),
                        shown_text,
                        _text_version(shown_text),
                        source,
                    )
                )
    insert([ConsentRecord(**values) for values in rows])
    return len(rows)


def record_consent_changes(registration: Registration, *, by=None) -> int:
    """Record each attendee consent whose field differs from its newest record; return how
    many. Called after every change of a registration (a receiver) and by `withdraw_consent`."""
    source = ConsentSource.BACKOFFICE if by is not None else ConsentSource.PERSONAL_PAGE
    latest = queries.current_consents(registration)
    count = 0
    for attendee in Attendee.objects.filter(registration=registration):
        count += len(_attendee_changes(registration, attendee, latest=latest, source=source))
    return count


def _attendee_changes(registration, attendee, *, latest, source) -> list[ConsentRecord]:
    made = []
    with translation.override(registration.language):
        for kind, (field, text) in ATTENDEE_CONSENTS.items():
            given = getattr(attendee, field)
            before = latest.get((attendee.pk, kind))
            if before is not None and before.given == given:
                continue
            if before is None and not given and latest:
                continue  # never given, nothing withdrawn
            shown = str(text)
            made.append(
                _record(
                    registration,
                    attendee=attendee,
                    kind=kind,
                    given=given,
                    text=shown,
                    version=_text_version(shown),
                    source=source,
                )
            )
    return made


def set_mailings(registration: Registration, *, wanted: bool, by=None) -> None:
    """Opt the booker's address out of (or back into) the mailings, and record it.

    Side effects: the opt-out row (mail); a consent record when the answer changed.
    """
    with transaction.atomic():
        mail_services.set_opt_out(
            registration.event, email=registration.email, opted_out=not wanted
        )
        latest = queries.current_consents(registration).get((None, ConsentKind.MAILINGS))
        if latest is not None and latest.given == wanted:
            return
        with translation.override(registration.language):
            text = str(MAILINGS_TEXT)
        _record(
            registration,
            kind=ConsentKind.MAILINGS,
            given=wanted,
            text=text,
            version=_text_version(text),
            source=ConsentSource.BACKOFFICE if by else ConsentSource.PERSONAL_PAGE,
        )


def withdraw_consent(
    registration: Registration, *, kind: str, attendee: Attendee | None = None, by=None
) -> None:
    """Withdraw a consent at once, whatever the edit deadline, or raise `PrivacyError`.

    Special categories: the attendee's dietary wishes, accessibility needs and answers to
    special-category questions are erased with it. Mailings: the booker's address opts out.
    Side effects: the change through `change_registration(erasure="consent" or
    "special_category")` (log entry); a consent record.
    """
    if queries.is_erased(registration):
        raise PrivacyError(exceptions.ALREADY_ERASED, code="wrong_state")
    with transaction.atomic():
        if kind == ConsentKind.MAILINGS:
            set_mailings(registration, wanted=False, by=by)
            return
        if kind not in ATTENDEE_CONSENTS or attendee is None:
            raise PrivacyError(exceptions.NOT_WITHDRAWABLE, code="invalid")
        if attendee.registration_id != registration.pk:
            raise PrivacyError(exceptions.NOT_WITHDRAWABLE, code="invalid")
        field = ATTENDEE_CONSENTS[kind][0]
        values = {field: False}
        erasure = "consent"
        if kind == ConsentKind.SPECIAL_CATEGORIES:
            values.update(dietary_wishes="", accessibility_needs="")
            erasure = "special_category"
        registration_services.change_registration(
            registration, by=by, attendees={attendee.pk: values}, erasure=erasure
        )
        record_consent_changes(registration, by=by)
