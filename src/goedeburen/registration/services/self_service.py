"""What the booker does through the secret manage link: change details, send a colleague,
get the link again. The organiser may use the same services (with `by` set)."""

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields

from django.db import transaction
from django.utils import formats, timezone

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from .. import exceptions, queries, signals, tokens
from ..enums import BadgeName, RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Attendee, ManageLinkRequest, Registration
from . import questions
from .booking import Billing, Booker, _check_billing
from .common import locked, validate_fields

# How often one email address may ask for its links again, per event and hour.
LINK_REQUESTS_PER_HOUR = 3


@dataclass(frozen=True, kw_only=True)
class AttendeeChanges:
    """An attendee's details as the booker may change them (not the ticket)."""

    given_name: str
    role: str
    family_name: str = ""
    email: str = ""
    organisation: str = ""
    function: str = ""
    badge_name: str = BadgeName.FULL
    photo_consent: bool = False
    attendee_list_consent: bool = False
    special_category_consent: bool = False
    dietary_wishes: str = ""
    accessibility_needs: str = ""
    # Question id → answer, as `questions.clean_answers` takes them; None keeps the answers
    # as they are (except special-category ones, which go when the consent does).
    answers: Mapping[int, object] | None = None


@dataclass(frozen=True, kw_only=True)
class Substitute:
    """The colleague who goes instead of an attendee."""

    given_name: str
    family_name: str = ""
    email: str = ""
    organisation: str = ""


def _check_changeable(registration: Registration, *, by, now: dt.datetime) -> None:
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(exceptions.CANCELLED_NO_CHANGE, code="wrong_state")
    deadline = queries.edit_deadline(registration.event)
    # The deadline binds the booker (no `by`); the organiser may still correct details.
    if by is None and now > deadline:
        shown = formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        raise RegistrationError(exceptions.EDIT_CLOSED % {"deadline": shown}, code="edit_closed")


def update_registration(
    registration: Registration,
    *,
    booker: Booker,
    attendees: Mapping[int, AttendeeChanges],
    billing: Billing | None = None,
    by=None,
) -> Registration:
    """Change the booker's, the attendees' (by attendee id) and the billing details.

    Raise `RegistrationError` for a cancelled registration, after the edit deadline (for
    the booker, `by` None), and for details the form would refuse too; nothing is saved
    then. Billing details are required when something is to be paid. An attendee's
    `answers` replace their answers to the event's questions, checked as when booking;
    withdrawing the special-category consent also removes the special-category answers.

    Side effects: log entry with the changed fields (before/after; answers by question,
    special-category ones without values); signal `registration_changed`.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(registration)
        _check_changeable(registration, by=by, now=now)
        rows = {a.pk: a for a in Attendee.objects.filter(registration=registration)}
        changes: dict[str, list] = {}
        values = {"booker_name": booker.name, "email": booker.email}
        if sum(a.price for a in rows.values()):
            billing = billing or Billing()
            _check_billing(registration.event, billing)
            values.update(
                billing_organisation=billing.organisation,
                billing_address=billing.address,
                po_number=billing.po_number,
                billing_reference=billing.reference,
                invoice_email=billing.invoice_email,
            )
        _apply(registration, values, changes, prefix="")
        validate_fields(registration, exclude=["event", "form_token"])
        changed_rows = []
        new_answers = []
        event_questions = None
        for pk, details in attendees.items():
            attendee = rows.get(pk)
            if attendee is None:
                raise RegistrationError(exceptions.NO_SUCH_ATTENDEE, code="invalid")
            needs = details.dietary_wishes.strip() or details.accessibility_needs.strip()
            if needs and not details.special_category_consent:
                raise RegistrationError(exceptions.CONSENT_MISSING, code="consent_missing")
            new = {f.name: getattr(details, f.name) for f in fields(details) if f.name != "answers"}
            prefix = f"attendee {attendee.order + 1}: "
            if _apply(attendee, new, changes, prefix=prefix):
                validate_fields(attendee, exclude=["registration", "ticket_type"])
                changed_rows.append(attendee)
            if event_questions is None:
                event_questions = queries.event_questions(registration.event)
            found, changed = questions.replace_answers(
                attendee,
                answers=details.answers,
                asked=event_questions,
                special_category_consent=details.special_category_consent,
            )
            new_answers.extend(found)
            for label, before, after in changed:
                changes[prefix + label] = [before, after]
        registration.save()
        for attendee in changed_rows:
            attendee.save()
        questions.store_answers(new_answers)
        # Special-category values are not copied into the log: it outlives their erasure.
        log_action(registration, action="registration.changed", by=by, data=changes)
        signals.registration_changed.send(sender=Registration, registration=registration, by=by)
    return registration


_NOT_LOGGED = {"dietary_wishes", "accessibility_needs"}


def _apply(instance, values: dict, changes: dict, *, prefix: str) -> bool:
    """Set `values` on `instance`, noting each change in `changes`; return whether any."""
    changed = False
    for name, value in values.items():
        before = getattr(instance, name)
        if before != value:
            setattr(instance, name, value)
            changes[prefix + name] = ["…", "…"] if name in _NOT_LOGGED else [before, value]
            changed = True
    return changed


def substitute_attendee(attendee: Attendee, *, substitute: Substitute, by=None) -> Attendee:
    """Let a colleague go instead of `attendee`, on the same ticket, or raise `RegistrationError`.

    The previous person's own answers (job title, consents, dietary wishes, accessibility
    needs, badge choice, answers to the organiser's questions) are cleared: they were about
    someone else. Their ticket secret is renewed, so the old ticket no longer admits anyone.
    The same deadline as for changes holds.

    Side effects: log entry (old and new name); signal `registration_changed`.
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(attendee.registration)
        _check_changeable(registration, by=by, now=now)
        attendee = Attendee.objects.select_for_update().get(
            pk=attendee.pk, registration=registration
        )
        before = attendee.full_name
        attendee.given_name = substitute.given_name
        attendee.family_name = substitute.family_name
        attendee.email = substitute.email
        attendee.organisation = substitute.organisation
        attendee.function = ""
        attendee.badge_name = BadgeName.FULL
        attendee.photo_consent = False
        attendee.attendee_list_consent = False
        attendee.special_category_consent = False
        attendee.dietary_wishes = ""
        attendee.accessibility_needs = ""
        attendee.ticket_secret = tokens.new_ticket_secret()
        validate_fields(attendee, exclude=["registration", "ticket_type"])
        attendee.save()
        attendee.answers.all().delete()
        log_action(
            registration,
            action="registration.attendee_substituted",
            by=by,
            data={"attendee": attendee.pk, "name": [before, attendee.full_name]},
        )
        signals.registration_changed.send(sender=Registration, registration=registration, by=by)
    return attendee


def renew_manage_link(registration: Registration, *, by=None) -> str:
    """Give the registration a new manage token and return it; the old link stops working.

    Side effects: log entry; signal `manage_link_renewed` (with the new token, which
    only this call knows).
    """
    with transaction.atomic():
        registration = locked(registration)
        token, token_hash = tokens.new_manage_token()
        registration.manage_token_hash = token_hash
        registration.save(update_fields=["manage_token_hash", "updated"])
        log_action(registration, action="registration.link_renewed", by=by)
        signals.manage_link_renewed.send(
            sender=Registration, registration=registration, manage_token=token
        )
    return token


def request_manage_links(event: Event, *, email: str) -> int:
    """Renew the manage link of each of the event's registrations booked with `email`.

    Return how many; the caller must not tell the visitor (that would reveal who is
    registered). More than `LINK_REQUESTS_PER_HOUR` requests for one address in an hour
    renew nothing, so that nobody can flood a booker's mailbox.

    Side effects: a request row (the address only as a hash); per registration those of
    `renew_manage_link`.
    """
    email = email.strip()
    email_hash = hashlib.sha256(email.lower().encode("utf-8", "surrogatepass")).hexdigest()
    since = timezone.now() - dt.timedelta(hours=1)
    with transaction.atomic():
        requests = ManageLinkRequest.objects.filter(event=event, email_hash=email_hash)
        requests.filter(created__lt=since).delete()
        if requests.count() >= LINK_REQUESTS_PER_HOUR:
            return 0
        ManageLinkRequest.objects.create(event=event, email_hash=email_hash)
        found = Registration.objects.filter(event=event, email__iexact=email).order_by("pk")
        for registration in found:
            renew_manage_link(registration)
        return len(found)
