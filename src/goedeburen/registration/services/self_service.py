"""What the booker does through the secret manage link besides changing details (that is
`editing`): send a colleague, get the link again. The organiser may use the same services
(with `by` set)."""

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.locks import hold_until_commit
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event

from .. import exceptions, signals, tokens
from ..enums import BadgeName, RegistrationStatus
from ..exceptions import RegistrationError
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
    The same deadline as for changes holds. A ticket the organiser approved for this
    person goes to someone else only by the organiser (`by` set; `approved_for_them`).

    The same substitute asked for again (a form sent twice) changes nothing.

    Side effects: log entry (old and new name); signals `registration_changed` and
    `attendee_substituted` (the mail app sends the new person their calendar file and
    ticket, and the previous person a mail that takes the event out of their calendar).
    """
    now = timezone.now()
    with transaction.atomic():
        registration = locked(attendee.registration)
        check_changeable(registration, by=by, now=now)
        attendee = Attendee.objects.select_for_update().get(
            pk=attendee.pk, registration=registration
        )
        if goes_already(attendee, substitute):
            # The same form sent again (a double click, a retry): it went once. Again, it
            # would renew the ticket that the first sending mailed to the colleague.
            return attendee
        if by is None and approved_for_them(attendee, registration):
            # Approved for this person (a resident's free ticket): only the organiser
            # lets someone else have it.
            raise RegistrationError(exceptions.SUBSTITUTE_NEEDS_ORGANISER, code="needs_approval")
        # The person as they were (name, address, ticket secret), for the receivers that
        # tell them; never saved.
        previous = copy.copy(attendee)
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
        attendee.went_instead_at = now
        validate_fields(attendee, exclude=["registration", "ticket_type"])
        attendee.save()
        attendee.answers.all().delete()
        # `updated` moves on: an edit form opened before this is refused, not applied.
        registration.save(update_fields=["updated"])
        log_action(
            registration,
            action="registration.attendee_substituted",
            by=by,
            data={"attendee": attendee.pk, "name": [before, attendee.full_name]},
        )
        signals.registration_changed.send(sender=Registration, registration=registration, by=by)
        signals.attendee_substituted.send(
            sender=Registration,
            registration=registration,
            attendee=attendee,
            previous=previous,
            by=by,
        )
    return attendee


def approved_for_them(attendee: Attendee, registration: Registration) -> bool:
    """Return whether the organiser approved `attendee`'s ticket for them (a ticket type
    that needs approval, no longer awaiting it): someone else may have it only by the
    organiser. Awaiting approval, the organiser decides on whoever is named then."""
    return (
        attendee.ticket_type.needs_approval
        and registration.status != RegistrationStatus.AWAITING_APPROVAL
    )


def goes_already(attendee: Attendee, substitute: Substitute) -> bool:
    """Return whether `substitute` already went instead of someone on `attendee`'s place
    (read under its lock): a substitution asked for again changes nothing."""
    return attendee.went_instead_at is not None and (
        attendee.given_name,
        attendee.family_name,
        attendee.email.strip().lower(),
        attendee.organisation,
    ) == (
        substitute.given_name,
        substitute.family_name,
        substitute.email.strip().lower(),
        substitute.organisation,
    )


def renew_manage_link(registration: Registration, *, by=None) -> str:
    """Give the registration a new manage token and return it; the old link stops working.

    Side effects: log entry; signal `manage_link_renewed` (with the new token, which
    only this call knows).
    """
    with transaction.atomic():
        registration = locked(registration)
        token, token_hash = tokens.new_manage_token()
        registration.manage_token_hash = token_hash
        registration.pending_manage_token_hash = ""
        registration.save(
            update_fields=["manage_token_hash", "pending_manage_token_hash", "updated"]
        )
        log_action(registration, action="registration.link_renewed", by=by)
        signals.manage_link_renewed.send(
            sender=Registration, registration=registration, manage_token=token
        )
    return token


def request_manage_links(event: Event, *, email: str) -> bool:
    """Record a request for the manage links of `email` and have them sent in the background.

    The same work whether or not the address registered (a row and a task), so that
    neither the answer nor its time tells who is registered; the task
    (`tasks.send_manage_links` → `send_manage_links`) finds the registrations. More than
    `LINK_REQUESTS_PER_HOUR` requests for one address in an hour send nothing, so that
    nobody can flood a booker's mailbox. Return whether the request was taken.

    The requests for one address are counted and written one at a time (under a lock on
    its hash), so that requests sent at once cannot all find the limit not yet reached.

    Side effects: a request row (the address only as a hash); the task, on commit.
    """
    from .. import tasks

    email = email.strip()
    email_hash = hashlib.sha256(email.lower().encode("utf-8", "surrogatepass")).hexdigest()
    since = timezone.now() - dt.timedelta(hours=1)
    with transaction.atomic():
        lock_link_requests(email_hash)
        requests = ManageLinkRequest.objects.filter(event=event, email_hash=email_hash)
        requests.filter(created__lt=since).delete()
        if requests.count() >= LINK_REQUESTS_PER_HOUR:
            return False
        ManageLinkRequest.objects.create(event=event, email_hash=email_hash)
        enqueue_on_commit(tasks.send_manage_links, event.pk, email)
    return True


def lock_link_requests(email_hash: str) -> None:
    """Hold the other link requests for this address (its SHA-256 `email_hash`) until
    this transaction ends.

    A lock on the hash, since there may be no row to lock yet (and the event's row is
    held by long work such as an assignment run).
    """
    hold_until_commit("manage-link-request", email_hash)


def send_manage_links(event_id: int, *, email: str) -> int:
    """Send each of the event's registrations booked with `email` a new manage link; the
    old link keeps working until the new one is used (`offer_new_manage_link`). Return how
    many registrations were found."""
    found = Registration.objects.filter(event_id=event_id, email__iexact=email.strip())
    found = list(found.order_by("pk"))
    for registration in found:
        offer_new_manage_link(registration)
    return len(found)


def take_new_manage_link(registration_id: int, *, pending_hash: str) -> None:
    """Make the sent link (`offer_new_manage_link`) the registration's only link, on its
    first use: the old one stops working now.

    Side effects: the hashes moved (when still pending); log entry.
    """
    with transaction.atomic():
        changed = Registration.objects.filter(
            pk=registration_id, pending_manage_token_hash=pending_hash
        ).update(
            manage_token_hash=pending_hash, pending_manage_token_hash="", updated=timezone.now()
        )
        if changed:
            log_action(
                Registration.objects.get(pk=registration_id), action="registration.link_taken"
            )


def offer_new_manage_link(registration: Registration, *, by=None) -> str:
    """Give the registration a new manage token beside the current one and return it.

    Both links work until the new one is first used (`queries.registration_for_manage`
    then makes it the only one): asking for a link kills nobody's link.

    Side effects: the pending hash stored; log entry; signal `manage_link_renewed` (with
    the new token, which only this call knows: the mail sends it).
    """
    with transaction.atomic():
        registration = locked(registration)
        token, token_hash = tokens.new_manage_token()
        registration.pending_manage_token_hash = token_hash
        registration.save(update_fields=["pending_manage_token_hash", "updated"])
        log_action(registration, action="registration.link_sent", by=by)
        signals.manage_link_renewed.send(
            sender=Registration, registration=registration, manage_token=token
        )
    return token
