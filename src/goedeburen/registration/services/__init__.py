"""Use cases that change registrations; the only code in this app that writes.

One module per use case; each public service runs in one transaction, checks the current
state first, writes its change to the audit log and sends the matching signal from
`registration.signals`. The public names are re-exported here, so callers import
`from goedeburen.registration import services` and need not know the modules.
"""

from .approval import approve_registration, reject_registration
from .booking import AttendeeDetails, Billing, Booker, join_waiting_list, register
from .cancellation import AttendeeCancellation, Cancellation, cancel_attendee, cancel_registration
from .editing import AttendeeChanges, change_registration, update_registration
from .holds import release_expired_holds
from .payment import (
    PaymentOutcome,
    confirm_on_account,
    confirm_paid,
    end_transfer_hold,
    hold_for_transfer,
)
from .questions import OptionLabels, delete_question, save_question
from .quotas import change_quota_size, delete_quota, save_quota, set_ticket_type_quotas
from .recount import Difference, recount_seats
from .self_service import (
    Substitute,
    offer_new_manage_link,
    renew_manage_link,
    request_manage_links,
    send_manage_links,
    substitute_attendee,
)
from .target_mix import save_target_mix
from .ticket_types import delete_ticket_type, save_ticket_type
from .waiting_list import (
    accept_offer,
    expire_offers,
    offer_free_seats,
    offer_free_seats_of,
    offer_free_seats_to_every_line,
    offer_seat,
)

__all__ = [
    "AttendeeCancellation",
    "AttendeeChanges",
    "AttendeeDetails",
    "Billing",
    "Booker",
    "Cancellation",
    "Difference",
    "OptionLabels",
    "PaymentOutcome",
    "Substitute",
    "accept_offer",
    "approve_registration",
    "cancel_attendee",
    "cancel_registration",
    "change_quota_size",
    "change_registration",
    "confirm_on_account",
    "confirm_paid",
    "end_transfer_hold",
    "delete_question",
    "delete_quota",
    "delete_ticket_type",
    "expire_offers",
    "hold_for_transfer",
    "join_waiting_list",
    "offer_free_seats",
    "offer_free_seats_of",
    "offer_free_seats_to_every_line",
    "offer_seat",
    "recount_seats",
    "reject_registration",
    "save_target_mix",
    "save_question",
    "save_quota",
    "save_ticket_type",
    "set_ticket_type_quotas",
    "register",
    "release_expired_holds",
    "offer_new_manage_link",
    "renew_manage_link",
    "send_manage_links",
    "request_manage_links",
    "substitute_attendee",
    "update_registration",
]
