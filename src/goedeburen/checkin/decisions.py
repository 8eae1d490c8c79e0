"""Who a ticket admits: the one rule, used by the server and sent to the phones' offline list."""

from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee

from . import tickets
from .enums import Refusal, VoidReason
from .models import Ticket

_BY_STATUS = {
    RegistrationStatus.CANCELLED: Refusal.CANCELLED,
    RegistrationStatus.PENDING_PAYMENT: Refusal.UNPAID,
    RegistrationStatus.AWAITING_APPROVAL: Refusal.UNAPPROVED,
    RegistrationStatus.WAITING_LIST: Refusal.WAITING_LIST,
}


def refusal_for_attendee(attendee: Attendee) -> str:
    """Return why `attendee` may not come in ("" when they may), from their registration.

    A confirmed registration admits its attendees, also when its invoice is still to be
    paid (invoice afterwards, walk-ins paid later): "unpaid" is a registration that waits
    for its payment.
    """
    return _BY_STATUS.get(attendee.registration.status, "")


def refusal_for_ticket(ticket: Ticket | None, attendee: Attendee | None) -> str:
    """Return why the scanned `ticket` does not admit its attendee ("" when it does).

    A ticket that is not the attendee's current one (someone else goes instead) is refused
    as substituted, also when the voiding receiver never ran: the decision reads the
    attendee's secret, not only the ticket's mark.
    """
    if ticket is None or attendee is None:
        return Refusal.UNKNOWN
    if ticket.void_reason == VoidReason.CANCELLED:
        return Refusal.CANCELLED
    if ticket.void_reason or not tickets.is_current(attendee, ticket.secret_hash):
        return Refusal.SUBSTITUTED
    return refusal_for_attendee(attendee)
