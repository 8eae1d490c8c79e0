"""Mail the booker when something happens to their registration.

Each receiver only writes the mail (unrendered) to the outbox, in the transaction of the
change (see `registration.signals`); the worker sends it later. `common.receivers` runs
each in a savepoint and logs a failure, so a broken mail never breaks a registration
(DESIGN.md, invariant 2).
"""

from django.db.models import Q

from goedeburen.common.money import euro
from goedeburen.common.receivers import connect_receivers
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.registration import signals
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from . import placeholders, tasks
from .enums import ATTENDEE_KINDS, MailKind, MailState
from .models import OutgoingMail
from .services import cancel_mail, queue_registration_mail, queue_scheduled_mail


def registration_created(registration, *, manage_token, **kwargs):
    awaiting = registration.status == RegistrationStatus.AWAITING_APPROVAL
    queue_registration_mail(
        registration,
        kind=MailKind.AWAITING_APPROVAL if awaiting else MailKind.CONFIRMATION,
        manage_token=manage_token,
        # Why it awaits approval when not for its tickets (`registration.services.abuse`).
        **({"review_reason": registration.review_reason} if registration.review_reason else {}),
    )


def manage_link_renewed(registration, *, manage_token, **kwargs):
    queue_registration_mail(registration, kind=MailKind.MANAGE_LINK, manage_token=manage_token)


def registration_approved(registration, *, message="", **kwargs):
    queue_registration_mail(registration, kind=MailKind.APPROVED, message=message)


def registration_rejected(registration, *, message="", **kwargs):
    queue_registration_mail(registration, kind=MailKind.REJECTED, message=message)


def registration_cancelled(registration, *, reason="", by=None, **kwargs):
    queue_registration_mail(
        registration, kind=MailKind.CANCELLATION, reason=reason, by_organiser=by is not None
    )
    # A colleague's ticket not sent yet would carry a ticket that is no longer valid.
    tickets = OutgoingMail.objects.filter(
        registration=registration,
        kind=MailKind.SUBSTITUTE_TICKET,
        state__in=[MailState.QUEUED, MailState.FAILED],
        rendered_at__isnull=True,
    )
    for mail in tickets:
        cancel_mail(mail)


def attendee_cancelled(registration, *, attendee, reason="", free=False, by=None, **kwargs):
    queue_registration_mail(
        registration,
        kind=MailKind.ATTENDEE_CANCELLED,
        attendee_name=attendee.full_name,
        amount=euro(attendee.price) if attendee.price else "",
        free=free,
        reason=reason,
        by_organiser=by is not None,
    )


def registration_confirmed(registration, **kwargs):
    # The booker's mail that confirms (approved, payment received) carries every ticket. A
    # colleague who went instead of someone at an address of their own got their own mail
    # without one while the registration was not confirmed: now they get their ticket.
    attendees = registration.attendees.filter(went_instead_at__isnull=False).order_by("pk")
    for attendee in attendees:
        if not _own_address(attendee.email, registration=registration):
            continue  # the booker's mail has their ticket; without an address, no one to send to
        binding = placeholders.attendee_binding(attendee)
        if _substitute_mail_to_come(registration, attendee=attendee.pk, binding=binding):
            continue  # rendered from now on, it carries the ticket itself
        # Once per person on the place, however often the news of the confirmation comes
        # (a signal sent twice, a receiver run again).
        queue_scheduled_mail(
            registration,
            schedule=f"ticket-{attendee.pk}-{binding}",
            kind=MailKind.SUBSTITUTE_TICKET,
            recipient=attendee.email,
            attendee=attendee.pk,
            attendee_binding=binding,
        )


def _substitute_mail_to_come(registration, *, attendee: int, binding: str) -> bool:
    """Return whether the substitute mail to the person now on place `attendee` (ticket
    fingerprint `binding`) is still to be rendered: the worker then reads the registration
    confirmed, and attaches the ticket itself.

    The mail's row is held until the confirmation commits, so a worker cannot take it in
    between and render it without the ticket: a worker that took it already is waited for
    (then it is no longer queued, and the ticket goes on its own).
    """
    waiting = list(
        OutgoingMail.objects.select_for_update()
        .filter(
            # Failed before it was rendered, and to be tried again (not given up).
            Q(state=MailState.QUEUED) | Q(state=MailState.FAILED, next_attempt_at__isnull=False),
            registration=registration,
            kind=MailKind.SUBSTITUTE,
            rendered_at__isnull=True,
            context__attendee=attendee,
            context__attendee_binding=binding,
        )
        .values_list("pk", "state")
    )
    for pk, state in waiting:
        if state == MailState.QUEUED:
            # A worker that found it held skipped it (`_claim`): send it once this commits
            # rather than at the next sweep. Sent twice, it still goes once.
            enqueue_on_commit(tasks.send_mail, pk)
    return bool(waiting)


def attendee_substituted(registration, *, attendee, previous=None, by=None, **kwargs):
    # A mail to whoever went before that is not rendered yet would be rendered for the new
    # person (their name, file, link and ticket): it goes no more (`composing.compose`
    # refuses one that a worker had taken already).
    before = OutgoingMail.objects.filter(
        registration=registration,
        kind__in=ATTENDEE_KINDS,
        state__in=[MailState.QUEUED, MailState.FAILED],
        rendered_at__isnull=True,
        context__attendee=attendee.pk,
    )
    for mail in before:
        cancel_mail(mail)
    # The colleague who goes instead gets what the booker got for them: the event (and
    # their own sessions) as a calendar file, and their own calendar link. Without an
    # address of their own there is no one to send it to: the booker has the registration's.
    if attendee.email:
        queue_registration_mail(
            registration,
            kind=MailKind.SUBSTITUTE,
            recipient=attendee.email,
            attendee=attendee.pk,
            attendee_binding=placeholders.attendee_binding(attendee),
        )
    if previous is None:
        return
    if _booker_replaced_by_organiser(registration, previous=previous, now=attendee, by=by):
        queue_registration_mail(
            registration, kind=MailKind.BOOKER_REPLACED, new_name=attendee.full_name
        )
    elif _tell_previous(registration, previous=previous, now=attendee):
        # Their own calendar file (from a mailing's calendar link, or from this mail when
        # they went instead of someone themselves) is named by their old ticket secret:
        # only its fingerprint is kept, to find and cancel its entries.
        queue_registration_mail(
            registration,
            kind=MailKind.REPLACED,
            recipient=previous.email,
            recipient_name=previous.full_name,
            place=attendee.pk,
            previous_binding=placeholders.attendee_binding(previous),
        )


def _address(email: str) -> str:
    return email.strip().lower()


def _own_address(email: str, *, registration) -> bool:
    """Return whether `email` is an address of its own: given, and not the booker's."""
    return bool(_address(email)) and _address(email) != _address(registration.email)


def _tell_previous(registration, *, previous, now) -> bool:
    """Return whether the person someone else goes instead of gets a mail of their own.

    Only at an address of their own: not the booker's (the booker made or asked for the
    change, or is told by `_booker_replaced_by_organiser`; their calendar holds the
    registration's file, which stays right for it), and not the new person's (the same
    address given again is a correction, not a colleague).
    """
    return _own_address(previous.email, registration=registration) and _address(
        previous.email
    ) != _address(now.email)


def _booker_replaced_by_organiser(registration, *, previous, now, by) -> bool:
    """Return whether the booker is told that someone else now goes in their own place.

    When the booker was the attendee (the place had the booker's address) and the organiser
    made the change (`by` set): through their manage link the booker made it themselves.
    Not when the new person has that address too (a correction, not a colleague). The
    booker's calendar file is the registration's and stays: no cancellation goes with it.
    """
    booker = _address(registration.email)
    return (
        by is not None
        and bool(booker)
        and _address(previous.email) == booker
        and _address(now.email) != booker
    )


def waiting_list_offer_made(registration, *, offer_url_token, expires, **kwargs):
    queue_registration_mail(
        registration, kind=MailKind.WAITING_LIST_OFFER, offer_token=offer_url_token, expires=expires
    )


RECEIVERS = {
    signals.registration_created: registration_created,
    signals.manage_link_renewed: manage_link_renewed,
    signals.registration_approved: registration_approved,
    signals.registration_rejected: registration_rejected,
    signals.registration_cancelled: registration_cancelled,
    signals.attendee_cancelled: attendee_cancelled,
    signals.attendee_substituted: attendee_substituted,
    signals.registration_confirmed: registration_confirmed,
    signals.waiting_list_offer_made: waiting_list_offer_made,
}


def connect() -> None:
    """Connect every receiver to its registration signal (from `MailConfig.ready`)."""
    connect_receivers(RECEIVERS, app="mail", sender=Registration)
