"""Erase a registration's personal data: on the booker's request, by the organiser on
request (a phone call), or when the retention period ends.

Always through the one change-a-registration use case (`change_registration(erasure=
"all")`), then each app's part (`common.personal_data`), then the audit log is scrubbed of
the personal fields that each action type declared. What the law makes us keep (invoices for
7 years) stays, and the preview says so before anything happens.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goedeburen.common import personal_data
from goedeburen.common.audit import log_action
from goedeburen.common.logtypes import registry as log_types
from goedeburen.common.models import LogEntry
from goedeburen.registration import services as registration_services
from goedeburen.registration import tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from .. import exceptions, queries
from ..enums import RequestSource, RequestState
from ..exceptions import PrivacyError
from ..models import Erasure, ErasureRequest

# What an erased registration and its attendees hold instead of their details.
ERASED_NAME = "—"
ERASED_REGISTRATION = {
    "booker_name": ERASED_NAME,
    "email": "",
    "billing_organisation": "",
    "billing_address": "",
    "po_number": "",
    "billing_reference": "",
    "invoice_email": "",
    # A sole trader's VAT number names a person; the invoices keep their own copy.
    "billing_vat_number": "",
}
ERASED_ATTENDEE = {
    "given_name": ERASED_NAME,
    "family_name": "",
    "email": "",
    "organisation": "",
    "function": "",
    "badge_name": "full",
    "photo_consent": False,
    "attendee_list_consent": False,
    "special_category_consent": False,
    "dietary_wishes": "",
    "accessibility_needs": "",
}
STILL_ACTIVE = "still_active"


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing would do: per part, lines of what goes and what stays (and why).

    `blocked` holds the reason the erasure cannot be done now (an active registration of
    an event still to come must be cancelled first), or "".
    """

    erased: list[tuple[str, list[str]]] = field(default_factory=list)
    kept: list[tuple[str, list[str]]] = field(default_factory=list)
    kept_codes: list[str] = field(default_factory=list)
    blocked: str = ""
    already_erased: bool = False


def _now() -> dt.datetime:
    return timezone.now()


def preview_erasure(
    registration: Registration, *, now: dt.datetime | None = None
) -> ErasurePreview:
    """Return what `erase_registration` would erase and keep now (a dry run: writes nothing)."""
    now = now or _now()
    if queries.is_erased(registration):
        return ErasurePreview(already_erased=True)
    attendees = list(registration.attendees.all())
    erased = [
        (
            _("Registration"),
            [
                _("the booker's name and email address"),
                _(
                    "the billing details (organisation, address, order number, reference, "
                    "VAT number)"
                ),
                _("the manage link and every participant link (they stop working)"),
            ],
        ),
        (
            _("Attendees"),
            [
                _(
                    "%(count)s attendees: names, email addresses, organisations, job titles, "
                    "consents, dietary wishes, accessibility needs and every answer"
                )
                % {"count": len(attendees)},
                _("the personal details in the history (log) of this registration"),
            ],
        ),
    ]
    kept = [
        (
            _("Statistics"),
            [_("the ticket types, the attending roles and the dates, without any name")],
        )
    ]
    codes = []
    for part in personal_data.parts():
        if part.preview is None:
            continue
        found = part.preview(registration)
        if found.erased:
            erased.append((str(part.label), found.erased))
        if found.kept:
            kept.append((str(part.label), found.kept))
            codes.extend(found.kept_codes)
    blocked = ""
    if registration.status != RegistrationStatus.CANCELLED and registration.event.ends_at() > now:
        blocked = _(
            "The registration is still active and the event is still to come: cancel it "
            "first (the cancellation's rules for refunds apply), then erase."
        )
        codes.append(STILL_ACTIVE)
    return ErasurePreview(erased=erased, kept=kept, kept_codes=codes, blocked=blocked)


def ask_erasure(registration: Registration, *, source: str = RequestSource.PERSONAL_PAGE, by=None):
    """Record a request to erase `registration`; return it (the open one if there is one).

    Side effects: an `ErasureRequest` row; a log entry.
    """
    if queries.is_erased(registration):
        raise PrivacyError(exceptions.ALREADY_ERASED, code="wrong_state")
    existing = queries.open_request(registration)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(
                event=registration.event, registration=registration, source=source
            )
            log_action(
                registration, action="privacy.erasure_requested", by=by, data={"source": source}
            )
    except IntegrityError:  # asked twice at once: the other one stands
        return queries.open_request(registration)
    return request


def refuse_request(request: ErasureRequest, *, by) -> ErasureRequest:
    """Close an open request without erasing (e.g. a duplicate). Side effects: a log entry."""
    with transaction.atomic():
        changed = ErasureRequest.objects.filter(pk=request.pk, state=RequestState.OPEN).update(
            state=RequestState.REFUSED, handled_at=_now(), handled_by=by
        )
        if not changed:
            raise PrivacyError(exceptions.REQUEST_CLOSED, code="wrong_state")
        log_action(request.registration, action="privacy.erasure_refused", by=by)
    request.refresh_from_db()
    return request


def erase_registration(
    registration: Registration,
    *,
    by=None,
    reason: str = "request",
    now: dt.datetime | None = None,
) -> ErasurePreview:
    """Erase every personal detail of `registration` that the law does not make us keep.

    `reason` is "request" (the booker's, or the organiser's on request: an active
    registration of an event still to come is refused, it must be cancelled first) or
    "retention" (the retention period ended). Return the preview of what was done.

    Side effects, in one transaction: `change_registration(erasure="all")` (booker,
    billing, attendees, answers; log entry `registration.erased`); a new manage token that
    nobody knows (the old manage and participant links die); each app's part erased; the
    personal fields of the registration's log entries scrubbed; open requests closed;
    an `Erasure` row; log entry `privacy.erased`.
    """
    now = now or _now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=registration.pk)
        )
        preview = preview_erasure(registration, now=now)
        if preview.already_erased:
            raise PrivacyError(exceptions.ALREADY_ERASED, code="wrong_state")
        if preview.blocked and reason != "retention":
            raise PrivacyError(preview.blocked, code="not_erasable")
        attendees = list(Attendee.objects.filter(registration=registration))
        subjects = _log_subjects(registration, attendees)
        registration_services.change_registration(
            registration,
            by=by,
            details=ERASED_REGISTRATION,
            attendees={a.pk: ERASED_ATTENDEE for a in attendees},
            answers={a.pk: None for a in attendees},
            erasure="all",
        )
        # No one holds the new token: the manage link, and every participant link bound to
        # it, stop working. The registration has no address any more, so nothing is mailed.
        # The name of who registered on the person's behalf goes too; the moment of the
        # consent (no personal detail) stays as the record of it.
        Registration.objects.filter(pk=registration.pk).update(
            manage_token_hash=tokens.new_manage_token()[1], on_behalf_by=""
        )
        registration.refresh_from_db()
        erased_rows = {}
        for part in personal_data.parts():
            if part.erase is not None:
                erased_rows[part.name] = part.erase(registration)
        scrubbed = scrub_log(subjects)
        Erasure.objects.create(registration=registration, reason=reason)
        result = {"erased": {**erased_rows, "log": scrubbed}, "kept": preview.kept_codes}
        ErasureRequest.objects.filter(registration=registration, state=RequestState.OPEN).update(
            state=RequestState.DONE, handled_at=now, handled_by=by, result=result
        )
        log_action(
            registration,
            action="privacy.erased",
            by=by,
            data={"reason": reason, "kept": preview.kept_codes},
        )
    return preview


def _log_subjects(registration, attendees) -> list:
    subjects = [registration, *attendees]
    for part in personal_data.parts():
        if part.log_subjects is not None:
            subjects.extend(part.log_subjects(registration))
    return subjects


def scrub_log(subjects, *, entries=None) -> int:
    """Remove the personal fields (as each action type declares them) from the log entries
    about `subjects` (or from `entries`); return how many entries changed. Idempotent."""
    if entries is None:
        by_type: dict[int, list[str]] = {}
        for subject in subjects:
            content_type = ContentType.objects.get_for_model(subject)
            by_type.setdefault(content_type.pk, []).append(str(subject.pk))
        entries = LogEntry.objects.none()
        for content_type_id, ids in by_type.items():
            entries = entries | LogEntry.objects.filter(
                content_type_id=content_type_id, object_id__in=ids
            )
    changed = 0
    for entry in entries.iterator():
        if entry.action not in log_types:
            continue
        personal = log_types.get(entry.action).personal
        data = entry.data or {}
        if not personal & set(data):
            continue
        kept = {key: value for key, value in data.items() if key not in personal}
        LogEntry.objects.filter(pk=entry.pk).update(data=kept)
        changed += 1
    return changed
