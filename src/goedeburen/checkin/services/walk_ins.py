"""Walk-ins: someone who is not registered comes to the door."""

from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event
from goedeburen.payments import queries as payment_queries
from goedeburen.payments import services as payment_services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.exceptions import PaymentError
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, TicketType

from ..exceptions import CheckinError
from . import checking, tickets

PAID_NOW, INVOICE_LATER = "paid", "invoice"


@dataclass(frozen=True, kw_only=True)
class WalkIn:
    """The door's short form: ticket type, name, organisation, e-mail (optional), and for a
    paid ticket how it is paid, where the invoice goes and the VAT number it names."""

    ticket_type: TicketType
    given_name: str
    family_name: str = ""
    organisation: str = ""
    email: str = ""
    payment: str = PAID_NOW
    invoice_address: str = ""
    # The buyer's VAT number for the invoice, compact and checked (`registration.billing`).
    vat_number: str = ""


def register_walk_in(
    event: Event, *, walk_in: WalkIn, form_token: str, staff: checking.Staff, language: str
) -> Attendee:
    """Register a walk-in through the registration service, check them in, return the attendee.

    The quotas hold as for any registration (`registration.services.register` with
    `at_door`): a full quota refuses the walk-in. A ticket that needs approval is approved
    by the staff member at once; a paid ticket is paid on the spot (recorded by hand) or
    confirmed with the invoice to follow. The same form token twice registers once.
    Raise `CheckinError` with the refusing service's message; nothing is kept then.

    Side effects: those of `register`, `approve_registration`, `record_manual_payment` or
    `choose_provider`; a ticket; a check-in at the staff member's door; log entry.
    """
    details = registration_services.AttendeeDetails(
        ticket_type=walk_in.ticket_type,
        given_name=walk_in.given_name,
        family_name=walk_in.family_name,
        organisation=walk_in.organisation,
        email=walk_in.email,
        # The attending role is not asked at the door; nothing shown to others reads it.
        role=AttendingRole.OTHER,
    )
    billing = registration_services.Billing(
        organisation=walk_in.organisation or walk_in.given_name,
        address=walk_in.invoice_address,
        invoice_email=walk_in.email,
        vat_number=walk_in.vat_number,
    )
    booker = registration_services.Booker(
        name=f"{walk_in.given_name} {walk_in.family_name}".strip(),
        # Without an address of their own, the mails go to the organisers.
        email=walk_in.email or event.contact_email or event.organiser.email or _site_address(),
    )
    try:
        with transaction.atomic():
            registration = registration_services.register(
                event,
                booker=booker,
                attendees=[details],
                form_token=form_token,
                language=language,
                billing=billing,
                by=staff.user,
                at_door=True,
            )
            made_now = registration.manage_token is not None
            registration.refresh_from_db()
            if made_now and registration.status == RegistrationStatus.AWAITING_APPROVAL:
                registration = registration_services.approve_registration(
                    registration, by=staff.user
                )
            if made_now and registration.status == RegistrationStatus.PENDING_PAYMENT:
                _pay(registration, how=walk_in.payment, by=staff.user)
            attendee = registration.attendees.get()
            valid = tickets.sync_registration_tickets(registration)
            if made_now:
                log_action(
                    registration,
                    action="checkin.walk_in",
                    by=staff.user,
                    data={"name": attendee.full_name, "payment": walk_in.payment},
                )
            if valid:
                # The nonce follows the attendee: the same form twice checks in once.
                checking.record_scan(
                    event,
                    checking.ScanInput(
                        nonce=f"walk-in-{attendee.pk}", ticket_hash=valid[0].secret_hash
                    ),
                    staff=staff,
                )
    except (RegistrationError, PaymentError) as refused:
        raise CheckinError(refused.message, code="walk_in") from refused
    return attendee


def _site_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _pay(registration, *, how: str, by) -> None:
    if how == INVOICE_LATER:
        payment_services.choose_provider(registration, provider=ProviderName.INVOICE, by=by)
        return
    amount = payment_queries.balance(registration).open
    payment_services.record_manual_payment(
        registration, amount=amount, note="walk-in, paid at the door", by=by
    )
