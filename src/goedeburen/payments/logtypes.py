"""The log actions of payments, refunds, invoices and bank statements, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, registry

from .enums import PaymentState, RefundState


class Money(LogType):
    """A sentence about an amount; a `note` in the data is added in brackets."""

    def display(self, data, *, show_sensitive=False):
        text = super().display(data, show_sensitive=show_sensitive)
        return f"{text} ({data['note']})" if data.get("note") else text


_PAYMENT = {"payment": 1, "provider": "mollie", "amount": "125.00"}
_PAYMENT_STATES = {
    PaymentState.OPEN: _("Online payment of €%(amount)s open"),
    PaymentState.PENDING: _("Online payment of €%(amount)s pending"),
    PaymentState.PAID: _("Payment of €%(amount)s received"),
    PaymentState.FAILED: _("Online payment failed"),
    PaymentState.CANCELLED: _("Online payment cancelled"),
    PaymentState.EXPIRED: _("Online payment expired"),
    PaymentState.RETURNED: _("Payment of €%(amount)s returned by the bank"),
}
_REFUND_STATES = {
    RefundState.PENDING: _("Refund of €%(amount)s pending"),
    RefundState.REFUNDED: _("€%(amount)s refunded"),
    RefundState.FAILED: _("Refund of €%(amount)s failed"),
    RefundState.CANCELLED: _("Refund of €%(amount)s cancelled: none was made"),
}


def register() -> None:
    registry.register(
        *(
            Money(
                action=f"payment.{state}",
                sentence=sentence,
                personal=frozenset({"note"}),
                example={**_PAYMENT, "state": ["open", state], "note": "Per kas"},
            )
            for state, sentence in _PAYMENT_STATES.items()
        ),
        Money(
            action="payment.started",
            sentence=_("Online payment of €%(amount)s started"),
            example={**_PAYMENT, "reference": "tr_1"},
        ),
        Money(
            action="payment.reminder_sent",
            sentence=_("Payment reminder sent for invoice %(invoice)s (€%(open)s open)"),
            example={"invoice": "2018-0001", "open": "125.00"},
        ),
        LogType(
            action="payment.hold_reminder_sent",
            sentence=_("Reminder sent to pay before the hold ends (%(hold_until)s)"),
            moments=("hold_until",),
            example={"hold_until": "2018-01-05T17:14:00+01:00"},
        ),
        Money(
            action="refund.created",
            sentence=_("Refund of €%(amount)s requested"),
            personal=frozenset({"reason"}),
            example={"payment": 1, "amount": "125.00", "reason": "geannuleerd"},
        ),
        *(
            Money(
                action=f"refund.{state}",
                sentence=sentence,
                personal=frozenset({"note"}),
                example={"payment": 1, "amount": "125.00", "note": "Per bank overgemaakt"},
            )
            for state, sentence in _REFUND_STATES.items()
        ),
        Money(
            action="refund.retried",
            sentence=_("Refund of €%(amount)s tried again: still no answer"),
            example={"payment": 1, "amount": "125.00", "note": "Mollie kon niet worden bereikt"},
        ),
        Money(
            action="invoice.issued",
            sentence=_("Invoice %(number)s issued"),
            example={"number": "2018-0001", "total": "125.00"},
        ),
        Money(
            action="invoice.credited",
            sentence=_("Credit note %(number)s issued for invoice %(credits)s"),
            personal=frozenset({"reason"}),
            example={"number": "2018-0002", "credits": "2018-0001", "reason": "booker"},
        ),
        Money(
            action="invoice.reminder_sent",
            sentence=_("Payment reminder sent (€%(open)s open)"),
            example={"open": "125.00"},
        ),
        LogType(
            action="payments.invoices_purged",
            sentence=_(
                "%(count)s invoices and credit notes from before %(before_year)s erased: "
                "the 7-year retention duty has ended"
            ),
            example={"before_year": 2019, "count": 3},
        ),
        LogType(
            action="bank_statement.imported",
            sentence=_(
                "Bank statement %(file)s imported: %(new)s new lines (%(matched)s booked, "
                "%(skipped)s skipped, %(returned)s returns), %(known)s imported before"
            ),
            example={
                "file": "camt.xml",
                "version": "053.001.02",
                "new": 3,
                "known": 1,
                "matched": 2,
                "skipped": 1,
                "returned": 0,
            },
        ),
        LogType(
            action="bank_transaction.assigned",
            sentence=_("Bank line assigned to registration %(code)s"),
            example={"code": "ABCD2345"},
        ),
        LogType(
            action="bank_transaction.split",
            sentence=_("Bank line split over registrations: %(shares)s"),
            example={"shares": "ABCD2345 62.50, EFGH6789 62.50"},
        ),
        LogType(
            action="bank_transaction.dismissed",
            sentence=_("Bank line dismissed: %(note)s"),
            personal=frozenset({"note"}),
            example={"note": "Geen deelnemer"},
        ),
        LogType(
            action="organiser.billing_saved",
            sentence=_("Legal and bank details saved"),
            example={"fields": ["iban", "kvk"]},
        ),
        LogType(
            action="event.payment_settings",
            sentence=_("Payment settings saved"),
            example={"fields": ["reminder_days"]},
        ),
    )
