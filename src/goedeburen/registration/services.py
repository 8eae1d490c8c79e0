"""Use cases that change registrations; the only code in this app that writes.

Every change is written to the audit log. Capacity is checked and taken in one transaction
that holds a row lock on every quota involved (DESIGN.md, invariant 1).
"""

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event, EventStatus

from . import exceptions, queries, signals, tokens
from .enums import HELD_STATUSES, BadgeName, RegistrationStatus
from .exceptions import RegistrationError
from .models import MAX_ATTENDEES, Attendee, FormToken, Quota, Registration, TicketType


@dataclass(frozen=True, kw_only=True)
class Booker:
    """The person who books and pays, and receives the manage link."""

    name: str
    email: str


@dataclass(frozen=True, kw_only=True)
class Billing:
    """Where the invoice goes; needed only when something is to be paid."""

    organisation: str = ""
    address: str = ""
    po_number: str = ""
    reference: str = ""
    invoice_email: str = ""


@dataclass(frozen=True, kw_only=True)
class AttendeeDetails:
    """One attendee as the form gives them."""

    ticket_type: TicketType
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


def register(
    event: Event,
    *,
    booker: Booker,
    attendees: Sequence[AttendeeDetails],
    form_token: str,
    language: str,
    billing: Billing | None = None,
    by=None,
) -> Registration:
    """Register `attendees` for `event`, taking their seats, or raise `RegistrationError`.

    Free tickets confirm at once; a ticket that needs approval makes the registration await
    approval, and a paid one makes it pend payment; both hold their seats for the event's
    hold time. A form token that already made a registration returns that registration
    (also when both submissions race): the result's `manage_token` is the secret for the
    booker's link when this call made it, None when it already existed (only its hash is
    stored).

    Side effects: form token stored; log entry; a `release_expired_holds` task enqueued
    to run when a hold ends; `registration_created` sent.
    """
    nonce = tokens.read_form_token(form_token, event_id=event.pk)
    if nonce is None:
        raise RegistrationError(exceptions.FORM_EXPIRED, code="form_expired")
    with transaction.atomic():
        # The unique token makes a concurrent second submission wait here for the first.
        stored_token, created = FormToken.objects.get_or_create(
            token=nonce, defaults={"event": event}
        )
        if not created:
            existing = Registration.objects.filter(form_token=stored_token).first()
            if existing is not None:
                existing.manage_token = None
                return existing
        registration = _register(
            event,
            booker=booker,
            attendees=attendees,
            billing=billing or Billing(),
            language=language,
            form_token=stored_token,
            by=by,
        )
        signals.registration_created.send(
            sender=Registration, registration=registration, manage_token=registration.manage_token
        )
    return registration


def _register(event, *, booker, attendees, billing, language, form_token, by) -> Registration:
    now = timezone.now()
    if event.status != EventStatus.REGISTRATION_OPEN:
        raise RegistrationError(exceptions.CLOSED, code="closed")
    ticket_types = _check_ticket_types(event, attendees, now=now)
    per_type = queries.ticket_type_quotas(ticket_types)
    quotas = _lock_quotas(per_type, ticket_types)
    _check_seats(quotas, per_type, attendees, ticket_types, now=now)

    total = sum((ticket_types[a.ticket_type.pk].price for a in attendees), start=Decimal("0.00"))
    if total:
        _check_billing(event, billing)
    else:
        billing = Billing()
    reg_settings = queries.registration_settings(event)
    if any(ticket_types[a.ticket_type.pk].needs_approval for a in attendees):
        status, hold_until = RegistrationStatus.AWAITING_APPROVAL, now + reg_settings.approval_hold
    elif total:
        status, hold_until = RegistrationStatus.PENDING_PAYMENT, now + reg_settings.payment_hold
    else:
        status, hold_until = RegistrationStatus.CONFIRMED, None

    manage_token, manage_token_hash = tokens.new_manage_token()
    registration = Registration(
        event=event,
        code=_unused_code(),
        form_token=form_token,
        booker_name=booker.name,
        email=booker.email,
        status=status,
        language=language,
        billing_organisation=billing.organisation,
        billing_address=billing.address,
        po_number=billing.po_number,
        billing_reference=billing.reference,
        invoice_email=billing.invoice_email,
        manage_token_hash=manage_token_hash,
        hold_until=hold_until,
    )
    _validate(registration, exclude=["event", "form_token"])
    registration.save()
    rows = []
    for order, details in enumerate(attendees):
        ticket_type = ticket_types[details.ticket_type.pk]
        values = {f.name: getattr(details, f.name) for f in fields(details)}
        values["ticket_type"] = ticket_type
        attendee = Attendee(
            registration=registration,
            price=ticket_type.price,
            vat_rate=ticket_type.vat_rate,
            ticket_secret=tokens.new_ticket_secret(),
            order=order,
            **values,
        )
        _validate(attendee, exclude=["registration", "ticket_type"])
        rows.append(attendee)
    Attendee.objects.bulk_create(rows)

    log_action(
        registration,
        action="registration.created",
        by=by,
        data={
            "status": status,
            "hold_until": hold_until.isoformat() if hold_until else None,
            "tickets": dict(Counter(str(ticket_types[a.ticket_type.pk]) for a in attendees)),
            "total": str(total),
        },
    )
    if hold_until:
        _schedule_release(hold_until)
    registration.manage_token = manage_token
    return registration


def _check_ticket_types(event, attendees, *, now) -> dict[int, TicketType]:
    """Return the attendees' ticket types, fresh from the database, or refuse."""
    if not attendees:
        raise RegistrationError(exceptions.NO_ATTENDEES, code="no_attendees")
    if len(attendees) > MAX_ATTENDEES:
        raise RegistrationError(exceptions.TOO_MANY % {"count": MAX_ATTENDEES}, code="too_many")
    wanted = Counter(a.ticket_type.pk for a in attendees)
    ticket_types = TicketType.objects.filter(event=event).in_bulk(list(wanted))
    for pk, count in wanted.items():
        ticket_type = ticket_types.get(pk)
        if ticket_type is None or not ticket_type.is_on_sale(now):
            name = next(a.ticket_type for a in attendees if a.ticket_type.pk == pk).t.name
            raise RegistrationError(exceptions.UNAVAILABLE % {"ticket": name}, code="unavailable")
        if count > ticket_type.max_per_registration:
            raise RegistrationError(
                exceptions.MAX_PER_REGISTRATION
                % {"count": ticket_type.max_per_registration, "ticket": ticket_type.t.name},
                code="max_per_registration",
            )
    for details in attendees:
        has_needs = details.dietary_wishes.strip() or details.accessibility_needs.strip()
        if has_needs and not details.special_category_consent:
            raise RegistrationError(exceptions.CONSENT_MISSING, code="consent_missing")
    return ticket_types


def _lock_quotas(
    per_type: dict[int, list[Quota]], ticket_types: dict[int, TicketType]
) -> dict[int, Quota]:
    """Lock every quota the ticket types count against, in order of primary key.

    One fixed order means two registrations that need the same quotas can never each hold
    one the other waits for (no deadlock). SQLite has no row locks: its IMMEDIATE
    transactions already admit one writer at a time.
    """
    for pk, quotas in per_type.items():
        if not quotas:  # a ticket type outside every quota has no seats to sell
            raise RegistrationError(
                exceptions.UNAVAILABLE % {"ticket": ticket_types[pk].t.name}, code="unavailable"
            )
    ids = sorted({quota.pk for quotas in per_type.values() for quota in quotas})
    locked = Quota.objects.filter(pk__in=ids).order_by("pk")
    if _locking_enabled():
        locked = locked.select_for_update()
    return {quota.pk: quota for quota in locked}


def _locking_enabled() -> bool:
    # TEST-ONLY switch: `REGISTRATION_LOCK_QUOTAS = False` exists solely for the negative
    # control in tests/registration/test_concurrency.py, which shows that without the lock
    # the quota is oversold. Production never sets it.
    return getattr(settings, "REGISTRATION_LOCK_QUOTAS", True)


def _check_seats(quotas, per_type, attendees, ticket_types, *, now) -> None:
    wanted: Counter[int] = Counter()
    first_ticket: dict[int, TicketType] = {}
    for details in attendees:
        for quota in per_type[details.ticket_type.pk]:
            wanted[quota.pk] += 1
            first_ticket.setdefault(quota.pk, ticket_types[details.ticket_type.pk])
    taken = queries.seats_taken(quotas, now=now)
    if not _locking_enabled():
        # TEST-ONLY (see `_locking_enabled`): widen the gap between counting and writing so
        # that the negative control shows the race on every run, not only on a slow day.
        time.sleep(0.02)
    for pk in sorted(wanted):
        left = quotas[pk].size - taken[pk]
        if wanted[pk] > left:
            ticket = first_ticket[pk].t.name
            message = (
                exceptions.SOLD_OUT % {"ticket": ticket}
                if left <= 0
                else exceptions.NOT_ENOUGH % {"ticket": ticket, "left": left, "wanted": wanted[pk]}
            )
            raise RegistrationError(message, code="sold_out")


def _check_billing(event: Event, billing: Billing) -> None:
    if not (billing.organisation.strip() and billing.address.strip()):
        raise RegistrationError(exceptions.BILLING_MISSING, code="billing_missing")
    if queries.registration_settings(event).po_number_required and not billing.po_number.strip():
        raise RegistrationError(exceptions.PO_NUMBER_MISSING, code="billing_missing")


def _validate(instance, *, exclude: list[str]) -> None:
    """Check field rules (lengths, choices, email syntax) whoever calls the service."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name
        raise RegistrationError(f"{label}: {messages[0]}", code="invalid") from invalid


def _unused_code() -> str:
    # 31^8 codes: a clash is rare enough that a few tries always find a free one.
    while True:
        code = tokens.new_code()
        if not Registration.objects.filter(code=code).exists():
            return code


def _schedule_release(hold_until) -> None:
    from .tasks import release_expired_holds

    # Both backends we run (database, RQ) can defer a task; a backend that cannot relies on
    # `goedeburen release_expired_holds` from cron. Seats count as free from `hold_until`
    # on either way (see `queries.takes_seat`); the task only tidies up the status.
    if release_expired_holds.get_backend().supports_defer:
        enqueue_on_commit(release_expired_holds.using(run_after=hold_until))


def release_expired_holds(*, now=None, by=None) -> int:
    """Cancel held registrations whose hold has ended; return how many.

    Each registration is locked, re-checked (it may have been paid or approved meanwhile)
    and cancelled in its own transaction. Side effects: a log entry per registration; its
    seats are free again.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(status__in=HELD_STATUSES, hold_until__lte=now)
    released = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            registration = Registration.objects.select_for_update().get(pk=pk)
            still_held = registration.hold_until is None or registration.hold_until > now
            if registration.status not in HELD_STATUSES or still_held:
                continue
            before = registration.status
            registration.status = RegistrationStatus.CANCELLED
            registration.save(update_fields=["status", "updated"])
            log_action(
                registration,
                action="registration.hold_expired",
                by=by,
                data={
                    "status": [before, registration.status],
                    "hold_until": registration.hold_until.isoformat(),
                },
            )
            released += 1
    return released
