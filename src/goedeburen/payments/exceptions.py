"""The one error the payments domain raises: a translated, user-safe message and a code."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class PaymentError(DomainError):
    """A payment action the domain refuses; `message` may be shown as it is.

    Codes: not_payable, provider_disabled, provider_unavailable, provider_failed,
    amount_invalid, too_much, no_billing_data, immutable, already_credited, not_an_invoice,
    camt_invalid, camt_duplicate, camt_account, wrong_state, not_found, conflict,
    needs_confirmation.
    """


NOT_PAYABLE = _("This registration has nothing left to pay.")
PROVIDER_DISABLED = _("This way of paying is not offered for this event.")
PROVIDER_UNAVAILABLE = _("Paying online is not possible at the moment. Please try again later.")
PAY_ONLINE_ONLY = _(
    "Many places were booked from your internet address this hour without paying online. "
    "Please pay online now, or contact the organisers."
)
PROVIDER_FAILED = _("The payment provider refused: %(error)s")
REFUND_UNANSWERED = _(
    "Mollie could not be reached or did not answer (%(error)s). The refund stays pending "
    "and is tried again later by itself; it is paid back once."
)
REFUND_NOT_STUCK = _("Only a pending refund can be tried again, cancelled or marked as paid.")
REFUND_CANNOT_CHECK = _(
    "Mollie could not be asked whether it made this refund (%(error)s), so it is not "
    "cancelled: cancelling without knowing could pay it back twice later. Try again when "
    "Mollie can be reached, or mark it as paid back by hand if you transferred the money."
)
REFUND_NOTE_NEEDED = _("Say why in the note: it is kept in the registration's history.")
AMOUNT_INVALID = _("Enter an amount of more than €0.00.")
TOO_MUCH_REFUND = _("At most €%(amount)s of this payment can be refunded.")
NO_BILLING_DATA = _(
    "The organiser's invoice details (legal name, address, KvK and VAT numbers, IBAN) "
    "are not complete, so no invoice can be issued."
)
IMMUTABLE = _("An issued invoice can never be changed or deleted; issue a credit note instead.")
ALREADY_CREDITED = _("Invoice %(number)s has already been credited.")
NOT_AN_INVOICE = _("Only an invoice can be credited, not a credit note.")
CAMT_INVALID = _("This file is not a readable bank statement (CAMT.053 or MT940): %(reason)s")
CAMT_IN_ARCHIVE = _("the file “%(file)s” in the ZIP archive: %(reason)s")
CAMT_DUPLICATE = _(
    "This statement was imported before, on %(when)s (file %(file)s); nothing new was booked."
)
CAMT_OTHER_FORMAT = _(
    "This %(format)s statement has lines of %(date)s, a day that was imported before from a "
    "%(other)s statement of the same account (file %(file)s). The same payment would be "
    "booked twice, so nothing was imported. Import each day in one format only."
)
CAMT_CONCURRENT = _(
    "Someone imported an overlapping statement at the same moment; nothing was booked. "
    "Please import the file again."
)
CAMT_ACCOUNT = _(
    "This statement is for account %(statement)s, but the organiser's account is "
    "%(organiser)s; nothing was imported."
)
CAMT_NO_ACCOUNT = _(
    "Enter the organiser's IBAN in the invoice details first: a statement is only imported "
    "for that account."
)
CONFLICT = _(
    "Someone else changed this at the same moment; nothing was changed. Please look again."
)
TOO_MUCH_PAYMENT = _(
    "€%(amount)s is more than the €%(open)s this registration still owes; confirm that you "
    "want to record it anyway."
)
WRONG_STATE = _("This bank statement line was already handled.")
NOT_A_PAYMENT = _(
    "This line is money the bank sent back, not a payment: it cannot be booked for a "
    "registration. Correct the payment it concerns, then dismiss the line with a note."
)
NOT_FOUND = _("No registration with the code “%(code)s” was found.")
SPLIT_SUM = _(
    "The amounts add up to %(total)s, but the bank line is %(amount)s; they must be equal. "
    "Nothing was booked."
)
SPLIT_TWICE = _("A registration code appears twice; give each registration once.")
NO_MOLLIE_KEY = _("No Mollie API key is configured for this organiser.")
