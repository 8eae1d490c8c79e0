"""Payments, refunds, invoices and credit notes, and bank transactions from CAMT.053 files.

A payment is a record of its own beside the registration: a registration is paid when its
confirmed payments (less refunds) cover its total. Invoices and credit notes share one
gap-free series per organiser and year (`InvoiceCounter`, locked while a number is taken)
and are never changed or deleted once issued: `save` and `delete` refuse, and so does
every queryset `update`/`delete` through `ImmutableQuerySet`.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goedeburen.common.addresses import validate_invoice_address
from goedeburen.events.models import Event, Organiser
from goedeburen.registration.models import Registration

from .enums import (
    NOT_PAYING_REFUND_STATES,
    InvoiceKind,
    PaymentState,
    ProviderName,
    RefundState,
    SkipReason,
    StatementFormat,
    TransactionKind,
    TransactionState,
)


def _money(verbose, **kwargs):
    return models.DecimalField(verbose, max_digits=10, decimal_places=2, **kwargs)


class OrganiserBilling(models.Model):
    """The organiser's legal details that every invoice must carry (Dutch VAT rules)."""

    organiser = models.OneToOneField(
        Organiser, on_delete=models.CASCADE, related_name="billing", verbose_name=_("organiser")
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    # The seller's address in every e-invoice: for a Dutch one street, postcode and town
    # (NL-R-002, NL-R-004), as the buyer's (`common.addresses`).
    address = models.TextField(
        _("address"),
        max_length=500,
        validators=[validate_invoice_address],
        help_text=_("For an address abroad, the country on the last line."),
    )
    kvk_number = models.CharField(_("KvK number"), max_length=8)
    vat_number = models.CharField(_("VAT number"), max_length=14)
    iban = models.CharField(_("IBAN"), max_length=34)
    account_name = models.CharField(_("account holder"), max_length=200)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("invoice details of the organiser")
        verbose_name_plural = _("invoice details of organisers")

    def __str__(self) -> str:
        return self.legal_name

    @property
    def complete(self) -> bool:
        return all(
            [
                self.legal_name,
                self.address,
                self.kvk_number,
                self.vat_number,
                self.iban,
                self.account_name,
            ]
        )


MAX_DAYS = 365


class PaymentSettings(models.Model):
    """How one event is paid for; an event without a row uses the defaults."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="payment_settings")
    mollie_enabled = models.BooleanField(_("online payment (Mollie)"), default=False)
    bank_transfer_enabled = models.BooleanField(_("bank transfer"), default=True)
    invoice_enabled = models.BooleanField(
        _("invoice afterwards"),
        default=True,
        help_text=_("The registration is confirmed at once and the invoice is due later."),
    )
    # At most `MAX_DAYS` each: a date that many days on must exist (a payment term of
    # millions of days made every registration paid by transfer or invoice answer 500).
    payment_term_days = models.PositiveIntegerField(
        _("payment term (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
    )
    reminder_days = models.PositiveIntegerField(
        _("send a reminder after (days)"),
        default=14,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_("Days after the invoice date; 0 sends no reminder."),
    )
    cancel_after_days = models.PositiveIntegerField(
        _("cancel unpaid registrations (days after the due date)"),
        null=True,
        blank=True,
        default=14,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_("Leave empty never to cancel automatically."),
    )

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")

    def __str__(self) -> str:
        return str(self.event)

    @property
    def payment_term(self) -> dt.timedelta:
        return dt.timedelta(days=self.payment_term_days)

    def enabled_providers(self) -> list[str]:
        """Return the names of the providers the booker may choose, in the order shown."""
        enabled = [
            (ProviderName.MOLLIE, self.mollie_enabled),
            (ProviderName.BANK_TRANSFER, self.bank_transfer_enabled),
            (ProviderName.INVOICE, self.invoice_enabled),
        ]
        return [name for name, on in enabled if on]


class Payment(models.Model):
    """Money that came in (or is on its way) for a registration, through one provider."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=20, choices=ProviderName.choices)
    amount = _money(_("amount"))
    state = models.CharField(
        _("state"), max_length=20, choices=PaymentState.choices, default=PaymentState.OPEN
    )
    # Mollie's payment id (tr_…), unique per provider. A bank payment has none: its bank
    # line (`bank_transaction`) says where it came from, and bank references are not unique.
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    # Who paid, from the bank line or Mollie: needed to pay a refund back.
    payer_name = models.CharField(_("paid by"), max_length=200, blank=True)
    payer_iban = models.CharField(_("from account"), max_length=34, blank=True)
    # The form that recorded it (a payment recorded by hand): the same form sent twice, with
    # the back button or a double click, records once.
    submission = models.CharField(max_length=40, null=True, blank=True, unique=True)
    checkout_url = models.URLField(max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The payment came after the hold ran out and the seat had been taken meanwhile.
    seat_lost = models.BooleanField(_("seat was gone"), default=False)
    # False while a booked bank payment waits for `settle_payments` (the background part
    # of a statement import); the registration is confirmed once, when it turns True.
    settled = models.BooleanField(default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The bank line it was booked from; one line may pay for several registrations, each
    # with a payment of its own. The one record of what a bank line paid for.
    bank_transaction = models.ForeignKey(
        "BankTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("bank line"),
    )
    # The bank's return or reversal that undid it (state `returned`): of a line split over
    # several registrations, the bank may send back one share only.
    returned_by_line = models.ForeignKey(
        "BankTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returned_payments",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference="") & ~Q(provider="bank_transfer"),
                name="unique_provider_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} € {self.amount}"

    @property
    def refunded(self) -> Decimal:
        return sum(
            (r.amount for r in self.refunds.all() if r.state not in NOT_PAYING_REFUND_STATES),
            Decimal("0.00"),
        )

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.refunded if self.state == PaymentState.PAID else Decimal("0.00")


class Refund(models.Model):
    """Money paid back on one payment; in full or in part."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = _money(_("amount"))
    state = models.CharField(
        _("state"), max_length=20, choices=RefundState.choices, default=RefundState.PENDING
    )
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The organiser's word on a refund they settled themselves: paid back by hand, or
    # cancelled (`services.payments.cancel_refund`).
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The form that asked for it: the same form sent twice refunds once.
    submission = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"€ {self.amount}"


class Settlement(models.Model):
    """What a free cancellation owes: its invoice credited, its online payments refunded.

    Written in the cancelling transaction (by the receiver of `registration_cancelled`) and
    settled once by `services.settle_cancellation`: from the task enqueued on commit or,
    when that failed or was lost, from the `follow_up_payments` sweep. A row of its own
    rather than a flag on the registration: the money is this app's business, the sweep
    finds what is due with one indexed query, and nothing reads the log to decide.
    """

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="settlement"
    )
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # None while something is owed; set in the transaction that credited and refunded.
    settled = models.DateTimeField(_("settled"), null=True, blank=True)
    # Set when the registration was cancelled later, no longer free of charge: what it owes
    # stands from then, so money paid afterwards counts towards it and does not make this
    # settlement due again, and one still due settles only the earlier free cancellation
    # (an attendee's), never the whole registration. Cleared by a later free cancellation
    # (`owe_settlement`).
    superseded = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement of a cancellation")
        verbose_name_plural = _("settlements of cancellations")
        indexes = [
            models.Index(
                fields=["created"], condition=Q(settled__isnull=True), name="settlement_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.settled or 'due'}"


class InvoiceCounter(models.Model):
    """The last number taken in one organiser's series for one year; locked while taking one."""

    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organiser", "year"], name="unique_invoice_counter")
        ]

    def __str__(self) -> str:
        return f"{self.organiser_id} {self.year}: {self.last_number}"


class ImmutableError(Exception):
    """Raised by any attempt to change or delete an issued invoice (a programming error)."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("issued invoices are never updated")

    def delete(self):
        raise ImmutableError("issued invoices are never deleted")


class ImmutableModel(models.Model):
    """A row that is written once and never changed or deleted."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} {self.pk} is issued and never changes")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{type(self).__name__} {self.pk} is issued and never deleted")


def org_scheme(org_id: str) -> str:
    """Return the ISO 6523 scheme of a Dutch organisation number: 0190 (OIN) or 0106 (KvK)."""
    return "0190" if len(org_id) == 20 else "0106"


class Invoice(ImmutableModel):
    """An invoice or credit note as issued: every figure and name copied in, never changed.

    The seller's and buyer's details are copies, so a later change of the organiser's
    address or the booker's billing details never alters an invoice that was sent.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=InvoiceKind.choices)
    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="invoices")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="invoices")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("number"), max_length=20)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    # A credit note names the invoice it corrects.
    credits = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note"
    )
    issue_date = models.DateField(_("invoice date"))
    supply_date = models.DateField(_("date of supply"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10)
    seller_name = models.CharField(max_length=200)
    seller_address = models.TextField()
    seller_kvk = models.CharField(max_length=8)
    seller_vat = models.CharField(max_length=14)
    seller_iban = models.CharField(max_length=34)
    seller_account_name = models.CharField(max_length=200)
    seller_email = models.CharField(max_length=254, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_address = models.TextField(_("buyer's address"))
    po_number = models.CharField(_("purchase order number"), max_length=50, blank=True)
    buyer_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=35, blank=True)
    # For e-invoices (UBL): the buyer's OIN (scheme 0190) or KvK number (0106), its Peppol
    # id ("0190:…"), and whether the e-invoice goes with the invoice mail.
    buyer_org_id = models.CharField(_("OIN or KvK number"), max_length=20, blank=True)
    buyer_peppol_id = models.CharField(_("Peppol ID"), max_length=60, blank=True)
    einvoice = models.BooleanField(_("e-invoice with the mail"), default=False)
    # The buyer's VAT number (compact, country code first), on the PDF and as the
    # e-invoice's BT-48.
    buyer_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    # What is owed: the lines' net amounts plus the VAT per rate, plus `rounding`.
    total = _money(_("amount due"))
    total_vat = _money(_("VAT"))
    # The cent that makes net + VAT (each rate's VAT computed once, on the rate's total)
    # meet the prices including VAT that the booker agreed to (EN 16931 BT-114).
    rounding = _money(_("rounding"), default=Decimal("0.00"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "year", "sequence"], name="unique_invoice_sequence"
            ),
            models.UniqueConstraint(fields=["organiser", "number"], name="unique_invoice_number"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def buyer_endpoint(self) -> tuple[str, str] | None:
        """Return the buyer's electronic address as (ISO 6523 scheme, identifier): its
        Peppol ID, else its OIN (0190) or KvK number (0106); None without one."""
        if ":" in self.buyer_peppol_id:
            scheme, identifier = self.buyer_peppol_id.split(":", 1)
            return scheme, identifier
        if self.buyer_org_id:
            return org_scheme(self.buyer_org_id), self.buyer_org_id
        return None

    @property
    def has_einvoice(self) -> bool:
        """Whether the invoice can be an e-invoice: the buyer has an electronic address.

        Peppol BIS 3 requires the buyer's address (PEPPOL-EN16931-R010, fatal): its Peppol
        ID, else its OIN or KvK number (`buyer_endpoint`). Its list of address schemes holds
        no e-mail address ("EM"); a buyer with neither (a person, a foreign organisation
        without a Peppol ID) gets no e-invoice, only the PDF.
        """
        return self.buyer_endpoint is not None

    @property
    def total_excl(self) -> Decimal:
        return self.total - self.rounding - self.total_vat

    @property
    def total_incl(self) -> Decimal:
        """Return net + VAT, before rounding (EN 16931 BT-112)."""
        return self.total - self.rounding


class InvoiceReminder(models.Model):
    """That the one payment reminder of an invoice was queued, and when.

    Its own row, not a field of `Invoice`: an issued invoice never changes (its queryset
    refuses every update), and a reminder is something that happened to the invoice
    afterwards, not part of the document. Unique per invoice: one reminder at most.
    """

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="reminder")
    reminded_at = models.DateTimeField(_("reminded at"))

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.reminded_at:%Y-%m-%d}"


class InvoiceLine(ImmutableModel):
    """One attendee's ticket on an invoice; negative on a credit note."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    description = models.CharField(_("description"), max_length=300)
    amount_excl = _money(_("amount excl. VAT"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = _money(_("VAT"))
    amount_incl = _money(_("amount incl. VAT"))
    vat_exemption = models.CharField(_("VAT exemption"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["invoice", "order", "pk"]

    def __str__(self) -> str:
        return self.description


class BankStatement(models.Model):
    """One uploaded CAMT.053 or MT940 file.

    The same file comes back with the same hash, or, re-exported by the bank, with the same
    `identity` (its statements' accounts, ids, sequence numbers, creation times and periods):
    either way it is refused, with nothing booked again.
    """

    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="bank_statements")
    filename = models.CharField(_("file"), max_length=255)
    file_hash = models.CharField(max_length=64)
    identity = models.CharField(max_length=64, blank=True)
    message_id = models.CharField(_("message id"), max_length=100, blank=True)
    iban = models.CharField(_("account"), max_length=34, blank=True)
    statement_id = models.CharField(_("statement"), max_length=100, blank=True)
    sequence = models.CharField(_("sequence number"), max_length=20, blank=True)
    bank_created = models.CharField(_("created by the bank"), max_length=40, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    # One account's days are read from one format: the same payment in a CAMT.053 and an
    # MT940 statement has different facts, so it would be booked twice (`bank_import`).
    file_format = models.CharField(
        _("format"),
        max_length=10,
        choices=StatementFormat.choices,
        default=StatementFormat.CAMT053,
    )
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)
    lines_known = models.PositiveIntegerField(_("lines imported before"), default=0)
    lines_matched = models.PositiveIntegerField(_("matched"), default=0)
    lines_unmatched = models.PositiveIntegerField(_("unmatched"), default=0)
    lines_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    lines_returned = models.PositiveIntegerField(_("returned"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "file_hash"], name="unique_statement_file"
            ),
            models.UniqueConstraint(
                fields=["organiser", "identity"],
                condition=~Q(identity=""),
                name="unique_statement_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class BankTransaction(models.Model):
    """One line of a bank statement, and what became of it.

    A line is the same line as one imported before only when its `fingerprint` (a hash of
    all its facts) and its `occurrence` (the how-manieth line with those facts in its
    file) are the same, for the same organiser and account: two identical transfers on one
    day stay two payments, and the same line in an overlapping statement is booked once
    (stored again as `known`, pointing at the first). The bank's reference is kept for
    people to read; it never decides anything.
    """

    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="transactions"
    )
    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="+")
    account = models.CharField(_("account"), max_length=34, blank=True)
    fingerprint = models.CharField(max_length=64)
    occurrence = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)
    # The bank's own entry or transaction reference, as it is; not unique.
    entry_key = models.CharField(_("bank reference"), max_length=100, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=TransactionKind.choices, default=TransactionKind.CREDIT
    )
    # Any amount a bank states (up to 18 digits): a line that is not ours never refuses
    # its file (`camt.AMOUNT_BELOW`).
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    amount_text = models.CharField(max_length=40, blank=True)
    booking_date = models.DateField(_("booked"))
    debtor_name = models.CharField(_("from"), max_length=200, blank=True)
    debtor_iban = models.CharField(_("account"), max_length=34, blank=True)
    # The payer's account when it is not an IBAN (a bank outside SEPA gives its own number):
    # shown, never compared or used for a refund as an IBAN is.
    debtor_account = models.CharField(_("account (not an IBAN)"), max_length=34, blank=True)
    reference = models.CharField(_("structured reference"), max_length=35, blank=True)
    remittance = models.TextField(_("description"), blank=True)
    return_reason = models.CharField(_("reason for the return"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=TransactionState.choices)
    skip_reason = models.CharField(
        _("why skipped"), max_length=20, choices=SkipReason.choices, blank=True
    )
    # Booked for a registration that had nothing left to pay: an overpayment to resolve.
    overpaid = models.BooleanField(_("overpayment"), default=False)
    # What a matched line paid for is its `payments` (one per registration, a split line has
    # several); a return's is its `reverses`'s.
    # A line imported before (state `known`): the first import of it.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A return or reversal (state `returned`): the credit line it sends back. Money in that
    # undoes such a return (waiting for a person, state `unmatched`): that return.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="returned_by"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        ordering = ["booking_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "account", "fingerprint", "occurrence"],
                condition=~Q(state="known"),
                name="unique_bank_line",
            )
        ]
        indexes = [
            models.Index(fields=["statement", "position"], name="bank_line_position"),
            models.Index(
                fields=["organiser", "state"],
                condition=Q(state="unmatched"),
                name="bank_line_unmatched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} € {self.amount}"

    @property
    def account_shown(self) -> str:
        """Return the payer's account as people read it: the IBAN, else its other number."""
        return self.debtor_iban or self.debtor_account

    @property
    def paid_for(self) -> list[Payment]:
        """Return the payments booked from this line (a return: those it undid, one share of a
        split line or all of the line it sends back), oldest first; from `payments` and
        `returned_payments` prefetched (`queries.statement_lines`) when they are."""
        if self.reverses_id and self.kind == TransactionKind.RETURN:
            # Returns booked before returns named their payments: all of the line's.
            undone = list(self.returned_payments.all()) or self.reverses.payments.all()
            return sorted(undone, key=lambda payment: payment.pk)
        return sorted(self.payments.all(), key=lambda payment: payment.pk)

    @property
    def registrations(self) -> list[Registration]:
        """Return the registrations this line paid for (see `paid_for`), oldest payment first."""
        return [payment.registration for payment in self.paid_for]
