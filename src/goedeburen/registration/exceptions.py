"""The one error the registration domain raises: a translated, user-safe message and a code."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class RegistrationError(DomainError):
    """A registration the domain refuses; `message` may be shown to the visitor as it is.

    Codes: closed, form_expired, no_attendees, too_many, unavailable, min_per_registration,
    max_per_registration,
    sold_out, consent_missing, billing_missing, invalid; for changes of state: wrong_state,
    places_available, offer_gone, edit_closed, last_attendee; for quotas: size_below_taken.
    """


CLOSED = _("Registration for this event is not open.")
FORM_EXPIRED = _("This form has expired. Check your details and submit them again.")
NO_ATTENDEES = _("Register at least one attendee.")
TOO_MANY = _("One registration holds at most %(count)d attendees.")
UNAVAILABLE = _("The ticket “%(ticket)s” is not on sale.")
MIN_PER_REGISTRATION = _(
    "With the ticket “%(ticket)s” you register at least %(count)d people. Add people or "
    "choose another ticket."
)
MAX_PER_REGISTRATION = _("One registration holds at most %(count)d of the ticket “%(ticket)s”.")
SOLD_OUT = _("Sorry, the ticket “%(ticket)s” is sold out.")
NOT_ENOUGH = _(
    "Not enough places are left for the ticket “%(ticket)s”: %(left)d left, %(wanted)d asked for."
)
CONSENT_MISSING = _(
    "Dietary wishes and accessibility needs can only be given with consent to use them."
)
BILLING_MISSING = _("Billing details are needed for a paid ticket.")
PO_NUMBER_MISSING = _("A purchase order number is needed for this event.")
EINVOICE_ADDRESS_MISSING = _(
    "An e-invoice needs an OIN, a KvK number or a Peppol ID. Fill in one of them, or untick "
    "the e-invoice."
)
# The buyer's VAT number (`billing.vat_number_problem`); the last one the organiser's
# invoice details share.
VAT_NUMBER_NO_COUNTRY = _(
    "Start the VAT number with its country code, such as NL for the Netherlands: NL001234567B01."
)
VAT_NUMBER_NOT_EU = _(
    "%(code)s is not a country of the European Union. Enter a VAT number from the EU, such as "
    "NL001234567B01."
)
VAT_NUMBER_INVALID = _("This is not a valid VAT number (such as NL001234567B01).")

PLACES_AVAILABLE = _("Places are available: register instead of joining the waiting list.")
NOT_AWAITING_APPROVAL = _(
    "Only a registration that awaits approval can be approved or rejected; "
    "this one is “%(status)s”."
)
ALREADY_CANCELLED = _("This registration is already cancelled.")
NOT_WAITING = _(
    "Only a registration on the waiting list without a running offer can be offered a "
    "place; this one is “%(status)s”."
)
OFFER_GONE = _("Sorry, the place offered to you is no longer available.")
EDIT_CLOSED = _("Details can no longer be changed: the deadline was %(deadline)s.")
CANCELLED_NO_CHANGE = _("A cancelled registration cannot be changed.")
# A ticket that needed the organiser's approval (a resident's) was approved for one person.
SUBSTITUTE_NEEDS_ORGANISER = _(
    "This ticket was approved for this person. Does someone else want to go instead? "
    "Ask the organiser."
)
CHANGED_MEANWHILE = _(
    "Your changes were not saved: this registration was changed in the meantime (in another "
    "window or by someone else). Below is the registration as it is now. Please make your "
    "changes again."
)
NO_SUCH_ATTENDEE = _("This attendee is not part of the registration.")
LAST_ATTENDEE = _(
    "This is the only attendee left. To cancel this person, cancel the whole registration."
)
SIZE_BELOW_TAKEN = _(
    "A quota of %(size)d seats is too small: %(taken)d of its seats are taken already."
)
FOREIGN_TICKET_TYPE = _("Choose ticket types of this event only.")
NOT_PENDING_PAYMENT = _(
    "Only a registration that pends payment can be paid this way; this one is “%(status)s”."
)
