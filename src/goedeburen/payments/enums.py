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


# States a payment never leaves: the provider's later word cannot change them.
FINAL_PAYMENT_STATES = (
    PaymentState.PAID,
    PaymentState.FAILED,
    PaymentState.CANCELLED,
    PaymentState.EXPIRED,
)


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class TransactionState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")
    DISMISSED = "dismissed", _("Dismissed")
