"""What the payments domain tells mail templates: the payment state and the invoice numbers.

Registered as mail placeholders (`mail.placeholders.register`), so the default texts and
the organiser's own texts show what there is to pay and how, whichever mail it is.
"""

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from goedeburen.common.money import euro
from goedeburen.mail import placeholders
from goedeburen.registration.enums import RegistrationStatus

from . import queries
from .enums import ProviderName


def payment_details(source: placeholders.Source) -> str:
    registration = source.registration
    if registration is None:
        return ""
    if not registration.total:
        return gettext("There is nothing to pay.")
    balance = queries.balance(registration)
    if balance.open <= 0:
        if balance.open < 0:
            return gettext("Paid: %(paid)s; you paid %(over)s more, which we pay back.") % {
                "paid": euro(balance.paid),
                "over": euro(-balance.open),
            }
        return gettext("Paid: %(paid)s incl. VAT. Thank you.") % {"paid": euro(balance.paid)}
    lines = [gettext("To pay: %(open)s incl. VAT.") % {"open": euro(balance.open)}]
    invoice = queries.current_invoice(registration)
    if invoice is not None and invoice.seller_iban:
        lines.append(
            gettext(
                "By bank transfer to %(iban)s in the name of %(name)s, with the payment "
                "reference %(reference)s, by %(due)s."
            )
            % {
                "iban": invoice.seller_iban,
                "name": invoice.seller_account_name,
                "reference": invoice.payment_reference,
                "due": formats.date_format(invoice.due_date, "DATE_FORMAT"),
            }
        )
    elif registration.status == RegistrationStatus.PENDING_PAYMENT:
        lines.append(gettext("Pay through your personal page, with the link from our first mail."))
    return "\n".join(lines)


def invoice_number(source: placeholders.Source) -> str:
    if source.context.get("invoice_number"):
        return source.context["invoice_number"]
    invoice = source.registration and queries.current_invoice(source.registration)
    return invoice.number if invoice else ""


def credited_number(source: placeholders.Source) -> str:
    return source.context.get("credited_number", "")


def refund_method(source: placeholders.Source) -> str:
    """Return how a refund's money went back, from what the refund mail was queued with
    (`services.payments.refund_mail_context`); "" in other mails."""
    provider = source.context.get("refund_provider")
    if not provider:
        return ""
    if provider == ProviderName.MOLLIE:
        return gettext(
            "The money goes back the way you paid online: to the same bank account or card."
        )
    if source.context.get("refund_account"):
        return gettext("We sent it to the bank account ending in %(last)s.") % {
            "last": source.context["refund_account"]
        }
    return ""


def register() -> None:
    """Give the mail templates the payments' placeholders (from `PaymentsConfig.ready`)."""
    placeholders.register(
        "payment_details", _("what there is to pay and how, or that it is paid"), payment_details
    )
    placeholders.register("invoice_number", _("the number of the invoice"), invoice_number)
    placeholders.register(
        "credited_number",
        _("the invoice a credit note cancels (credit notes only)"),
        credited_number,
    )
    placeholders.register(
        "refund_method",
        _("how the money of a refund goes back, and to which account (refunds only)"),
        refund_method,
    )
