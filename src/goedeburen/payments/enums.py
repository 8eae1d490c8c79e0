"""The states and kinds of payments, refunds, invoices and bank transactions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderName(models.TextChoices):
    MOLLIE = "mollie", _("Online (Mollie)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    INVOICE = "invoice", _("Invoice afterwards")
    MANUAL = "manual", _("Recorded by the organiser")


class PaymentState(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    # Booked from a bank statement, then sent back by the bank (a return or reversal).
    RETURNED = "returned", _("Returned by the bank")


# States a payment never leaves: the provider's later word cannot change them.
FINAL_PAYMENT_STATES = (
    PaymentState.PAID,
    PaymentState.FAILED,
    PaymentState.CANCELLED,
    PaymentState.EXPIRED,
    PaymentState.RETURNED,
)


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")
    # Given up by the organiser, after Mollie said it made none: no longer counts.
    CANCELLED = "cancelled", _("Cancelled")


# States of a refund that pays nothing (any more): it no longer counts against the payment.
NOT_PAYING_REFUND_STATES = (RefundState.FAILED, RefundState.CANCELLED)


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class TransactionState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")
    DISMISSED = "dismissed", _("Dismissed")
    SKIPPED = "skipped", _("Skipped")
    RETURNED = "returned", _("Return of an earlier payment")
    KNOWN = "known", _("Imported before")


class TransactionKind(models.TextChoices):
    CREDIT = "credit", _("Money in")
    DEBIT = "debit", _("Money out")
    RETURN = "return", _("Return or reversal of money in")
    DEBIT_REVERSAL = "debit_reversal", _("Reversal of money out")


class SkipReason(models.TextChoices):
    """Why a statement line was not booked (the rest of the file is)."""

    ZERO = "zero", _("the amount is zero")
    CURRENCY = "currency", _("the amount is not in euros")
    DECIMALS = "decimals", _("the amount has more than two decimals")
    PENDING = "pending", _("not booked yet by the bank (pending)")
    TOO_LARGE = "too_large", _("€100,000,000 or more: no registration's payment")
    DEBIT = "debit", _("money out, not a payment")
    DEBIT_REVERSAL = "debit_reversal", _("the reversal of money out, not a payment")
    RETURN_UNKNOWN = "return_unknown", _("the return of a payment that was not booked here")


class StatementFormat(models.TextChoices):
    """The file a bank statement was read from (the values of `camt.FORMAT_*`)."""

    CAMT053 = "camt053", "CAMT.053"
    MT940 = "mt940", "MT940"
