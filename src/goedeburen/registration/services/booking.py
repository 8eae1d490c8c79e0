"""Book seats: the registration form's use case."""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from goedeburen.common import rows
from goedeburen.common.audit import log_action
from goedeburen.common.receivers import send_together
from goedeburen.events.models import Event, EventStatus

from .. import exceptions, queries, signals, tokens
from ..enums import BadgeName, RegistrationStatus
from ..exceptions import RegistrationError
from ..models import (
    MAX_ATTENDEES,
    Attendee,
    FormToken,
    Registration,
    RegistrationSettings,
    TicketType,
)
from . import abuse, capacity, common, expiry, questions


@dataclass(frozen=True, kw_only=True)
class Booker:
    """The person who books and pays, and receives the manage link.

    `on_behalf`: they register someone else (a care worker a resident) and confirmed that
    person's consent; the registration records when and by whom.
    """

    name: str
    email: str
    on_behalf: bool = False


@dataclass(frozen=True, kw_only=True)
class Billing:
    """Where the invoice goes; needed only when something is to be paid."""

    organisation: str = ""
    address: str = ""
    po_number: str = ""
    reference: str = ""
    invoice_email: str = ""
    # For an e-invoice (UBL): the buyer's OIN or KvK number, its Peppol ID, and whether
    # the e-invoice goes with the invoice mail.
    org_id: str = ""
    peppol_id: str = ""
    einvoice: bool = False
    # The buyer's VAT number, on the invoice and in the e-invoice (compact: `billing`).
    vat_number: str = ""


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
    # Question id → answer, as `questions.clean_answers` takes them.
    answers: Mapping[int, object] = field(default_factory=dict)


def register(
    event: Event,
    *,
    booker: Booker,
    attendees: Sequence[AttendeeDetails],
    form_token: str,
    language: str,
    billing: Billing | None = None,
    by=None,
    at_door: bool = False,
    client: str = "",
    pays_online: bool = False,
    payment_hold: dt.timedelta | None = None,
    then: Callable[[Registration], None] | None = None,
) -> Registration:
    """Register `attendees` for `event`, taking their seats, or raise `RegistrationError`.

    Free tickets confirm at once; a ticket that needs approval makes the registration await
    approval, and a paid one makes it pend payment; both hold their seats for the event's
    hold time. A form token that already made a registration returns that registration
    (also when both submissions race): the result's `manage_token` is the secret for the
    booker's link, also when it already existed (derived from the form token), None when
    that link has been replaced since (only its hash is stored).

    Each attendee's `answers` to the event's questions are checked (required ones given,
    values fit the question, special-category ones only with consent) and stored.

    A walk-in (`at_door`, staff only: `by` set) may register after registration closed and
    on ticket types that are not (or no longer) on sale; the quotas hold all the same.

    `client` is the visitor's address (the public form's; empty for staff and the API):
    past a number of seats an hour booked from it without paying online (`pays_online`
    False: free tickets, invoice, bank transfer), the registration awaits the organiser's
    approval (`abuse.state_after_review`, with its `review_reason`).

    Seats are taken from the quotas' counters last (`capacity.take_seats`), after expired
    holds in a full quota are released.

    A booker who registers someone else (`booker.on_behalf`) has confirmed that person's
    consent: the moment and the booker's name are stored on the registration.

    `payment_hold` is how long a registration pending payment holds its seats, when not
    the event's payment hold: the payment term, for a booker who chose in the form to pay
    by bank transfer (`payments.services.register_paying_offline`). `then` is called with
    the new registration in the booking's transaction, after its seats are taken (the way
    to pay chosen there); not for a form sent again.

    Side effects: form token stored; answers stored; the quotas' counters; log entries;
    signal `registration_created`; a `release_expired_holds` task enqueued to run when a
    hold ends.

    The manage token is derived from the form token (`tokens.manage_token_for_form`): a
    second submission of the same form gets `manage_token` set as well, as long as the
    registration's link has not been replaced since.
    """
    return _book(
        event,
        booker=booker,
        attendees=attendees,
        form_token=form_token,
        language=language,
        billing=billing,
        by=by,
        waiting_list=False,
        at_door=at_door and by is not None,
        client="" if by is not None else client,
        pays_online=pays_online,
        payment_hold=payment_hold,
        then=then,
    )


def join_waiting_list(
    event: Event,
    *,
    booker: Booker,
    attendees: Sequence[AttendeeDetails],
    form_token: str,
    language: str,
    billing: Billing | None = None,
    by=None,
) -> Registration:
    """Put `attendees` on the event's waiting list, or raise `RegistrationError`.

    Only when their tickets are sold out: with places left the visitor registers instead
    (code "places_available"). The registration takes no seat until it is offered one
    (`offer_free_seats`) and accepts it. The form token works as for `register`.

    Side effects: form token stored; log entry; signal `registration_created` (with the
    status "waiting_list").
    """
    return _book(
        event,
        booker=booker,
        attendees=attendees,
        form_token=form_token,
        language=language,
        billing=billing,
        by=by,
        waiting_list=True,
    )


def _book(
    event,
    *,
    booker,
    attendees,
    form_token,
    language,
    billing,
    by,
    waiting_list,
    at_door=False,
    client="",
    pays_online=False,
    payment_hold=None,
    then=None,
):
    nonce = tokens.read_form_token(form_token, event_id=event.pk)
    if nonce is None:
        raise RegistrationError(exceptions.FORM_EXPIRED, code="form_expired")
    with transaction.atomic():
        # The unique token makes a concurrent second submission wait here for the first.
        stored_token = FormToken(event=event, token=nonce)
        manage_token = tokens.manage_token_for_form(form_token)
        if not rows.insert_unless_taken(stored_token, unique="token"):
            existing = Registration.objects.filter(form_token__token=nonce).first()
            if existing is not None:
                still = tokens.manage_token_matches(manage_token, existing.manage_token_hash)
                existing.manage_token = manage_token if still else None
                existing.sent_before = True
                return existing
            stored_token = FormToken.objects.get(token=nonce)
        registration = _register(
            event,
            booker=booker,
            attendees=attendees,
            billing=billing or Billing(),
            language=language,
            form_token=stored_token,
            manage_token=manage_token,
            by=by,
            waiting_list=waiting_list,
            at_door=at_door,
            client=client,
            pays_online=pays_online,
            payment_hold=payment_hold,
        )
        if then is not None:
            then(registration)
    return registration


def _register(
    event,
    *,
    booker,
    attendees,
    billing,
    language,
    form_token,
    manage_token,
    by,
    waiting_list,
    at_door=False,
    client="",
    pays_online=False,
    payment_hold=None,
) -> Registration:
    now = timezone.now()
    if event.status != EventStatus.REGISTRATION_OPEN and not at_door:
        raise RegistrationError(exceptions.CLOSED, code="closed")
    data = queries.booking_data(event)
    if any(a.ticket_type.pk not in data.ticket_types for a in attendees):
        # The caller's event may be older than the ticket type (its version is a cache key):
        # read the current version once before calling the ticket type unknown.
        event.refresh_from_db(fields=["updated"])
        data = queries.booking_data(event)
    ticket_types = _check_ticket_types(data, attendees, now=now, at_door=at_door)
    answers = [
        questions.clean_answers(
            data.questions,
            ticket_type_id=details.ticket_type.pk,
            answers=details.answers,
            special_category_consent=details.special_category_consent,
        )
        for details in attendees
    ]
    tickets = [ticket_types[a.ticket_type.pk] for a in attendees]
    # Checked before anything is written: a ticket type outside every quota is not on sale.
    seats = capacity.seats_wanted(tickets, data.quotas)

    total = sum((t.price for t in tickets), start=Decimal("0.00"))
    if total:
        common.check_billing(event, billing, settings=data.settings)
    else:
        billing = Billing()
    review_reason = ""
    if waiting_list:
        status, hold_until = RegistrationStatus.WAITING_LIST, None
    else:
        status, hold_until = state_after_booking(
            event,
            needs_approval=any(t.needs_approval for t in tickets),
            total=total,
            now=now,
            settings=data.settings,
            payment_hold=payment_hold,
        )
        status, hold_until, review_reason = abuse.state_after_review(
            status,
            hold_until,
            client=client,
            seats=len(tickets),
            pays_online=pays_online,
            approval_hold=data.settings.approval_hold,
            now=now,
        )

    manage_token_hash = tokens.hash_manage_token(manage_token)
    registration = Registration(
        event=event,
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
        billing_org_id=billing.org_id,
        billing_peppol_id=billing.peppol_id,
        billing_einvoice=billing.einvoice,
        billing_vat_number=billing.vat_number,
        manage_token_hash=manage_token_hash,
        hold_until=hold_until,
        on_behalf_consent_at=now if booker.on_behalf else None,
        on_behalf_by=booker.name if booker.on_behalf else "",
        review_reason=review_reason,
    )
    common.validate_fields(registration, exclude=["event", "form_token", "code"])
    # 31^8 codes: a clash is rare, and then the next one is tried.
    while True:
        registration.code = tokens.new_code()
        if rows.insert_unless_taken(registration, unique="code"):
            break
    attendee_rows = []
    for order, details in enumerate(attendees):
        ticket_type = ticket_types[details.ticket_type.pk]
        values = {f.name: getattr(details, f.name) for f in fields(details) if f.name != "answers"}
        values["ticket_type"] = ticket_type
        attendee = Attendee(
            registration=registration,
            price=ticket_type.price,
            vat_rate=ticket_type.vat_rate,
            ticket_secret=tokens.new_ticket_secret(),
            order=order,
            **values,
        )
        common.validate_fields(attendee, exclude=["registration", "ticket_type"])
        attendee_rows.append(attendee)
    rows.insert(attendee_rows)
    questions.store_answers(
        [
            (attendee, answer)
            for attendee, found in zip(attendee_rows, answers, strict=True)
            for answer in found
        ]
    )

    log_action(
        registration,
        action="registration.created",
        by=by,
        data={
            "status": status,
            "hold_until": hold_until.isoformat() if hold_until else None,
            "tickets": dict(Counter(str(t) for t in tickets)),
            "total": str(total),
            **({"review_reason": review_reason} if review_reason else {}),
        },
    )
    if booker.on_behalf:
        log_action(
            registration,
            action="registration.on_behalf",
            by=by,
            data={"by": booker.name, "at": now.isoformat()},
        )
    registration.manage_token = manage_token
    send_together(
        signals.registration_created,
        sender=Registration,
        registration=registration,
        manage_token=manage_token,
        attendees=attendee_rows,
    )
    if hold_until:
        capacity.schedule_release(hold_until)

    # Last, so that the quotas stay locked only from here to the commit: everything above
    # is written already and rolls back with the transaction when the seats are gone.
    if waiting_list:
        _check_sold_out(seats, now=now)
    else:
        capacity.take_seats(
            seats, tickets=tickets, per_type=data.quotas, now=now, wait_for_expired=True
        )
    return registration


def state_after_booking(
    event: Event,
    *,
    needs_approval: bool,
    total: Decimal,
    now: dt.datetime,
    settings: RegistrationSettings | None = None,
    payment_hold: dt.timedelta | None = None,
) -> tuple[str, dt.datetime | None]:
    """Return the status and hold end of a registration that has just taken its seats.

    A ticket that needs approval makes it await approval, a price makes it pend payment
    (both hold the seats for the event's hold time, or `payment_hold` when pending
    payment); otherwise it is confirmed at once. `settings` are the event's registration
    settings, when the caller has them at hand.
    """
    reg_settings = settings or queries.registration_settings(event)
    if needs_approval:
        return RegistrationStatus.AWAITING_APPROVAL, now + reg_settings.approval_hold
    if total:
        return RegistrationStatus.PENDING_PAYMENT, now + (payment_hold or reg_settings.payment_hold)
    return RegistrationStatus.CONFIRMED, None


def _check_sold_out(seats: Counter[int], *, now: dt.datetime) -> None:
    """Raise `RegistrationError` ("places_available") unless a quota lacks these seats.

    The quotas are locked meanwhile, so that seats freed at the same moment are offered
    to the waiting list only after this registration has joined it. Expired holds count
    as free: they are released first.
    """
    expiry.release_expired(seats, now=now, skip_locked=False)
    free = {pk: quota.size - quota.taken for pk, quota in capacity.lock_rows(seats).items()}
    if all(free[pk] >= wanted for pk, wanted in seats.items()):
        raise RegistrationError(exceptions.PLACES_AVAILABLE, code="places_available")


def _check_ticket_types(data, attendees, *, now, at_door=False) -> dict[int, TicketType]:
    """Return the attendees' ticket types, as the event's current version has them, or refuse.

    At the door (`at_door`) a ticket type need not be on sale, nor its minimum per
    registration be met.
    """
    if not attendees:
        raise RegistrationError(exceptions.NO_ATTENDEES, code="no_attendees")
    if len(attendees) > MAX_ATTENDEES:
        raise RegistrationError(exceptions.TOO_MANY % {"count": MAX_ATTENDEES}, code="too_many")
    wanted = Counter(a.ticket_type.pk for a in attendees)
    ticket_types = data.ticket_types
    for pk, count in wanted.items():
        ticket_type = ticket_types.get(pk)
        if ticket_type is None or not (at_door or ticket_type.is_on_sale(now)):
            name = next(a.ticket_type for a in attendees if a.ticket_type.pk == pk).t.name
            raise RegistrationError(exceptions.UNAVAILABLE % {"ticket": name}, code="unavailable")
        # At the door people are let in one at a time, whatever a group ticket asks.
        if count < ticket_type.min_per_registration and not at_door:
            raise RegistrationError(
                exceptions.MIN_PER_REGISTRATION
                % {"count": ticket_type.min_per_registration, "ticket": ticket_type.t.name},
                code="min_per_registration",
            )
        if count > ticket_type.max_per_registration:
            raise RegistrationError(
                exceptions.MAX_PER_REGISTRATION
                % {"count": ticket_type.max_per_registration, "ticket": ticket_type.t.name},
                code="max_per_registration",
            )
    for details in attendees:
        common.check_consent(
            dietary_wishes=details.dietary_wishes,
            accessibility_needs=details.accessibility_needs,
            special_category_consent=details.special_category_consent,
        )
    return {pk: ticket_types[pk] for pk in wanted}
