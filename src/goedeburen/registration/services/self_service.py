"""What the booker does through the secret manage link besides changing details (that is
`editing`): send a colleague, get the link again. The organiser may use the same services
(with `by` set)."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from .. import signals, tokens
from ..enums import BadgeName
from ..models import Attendee, ManageLinkRequest, Registration
from .common import locked, validate_fields
from .editing import check_changeable

# How often one email address may ask for its links again, per event and hour.
LINK_REQUESTS_PER_HOUR = 3


@dataclass(frozen=True, kw_only=True)
class Substitute:
    """The colleague who goes instead of an attendee."""

    given_name: str
    family_name: str = ""
    email: str = ""
    organisation: str = ""


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
        check_changeable(registration, by=by, now=now)
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
