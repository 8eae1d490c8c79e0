"""The personal data of the apps below privacy (outbox, payments, session choices), as
`common.personal_data` parts: what each exports, what an erasure removes or keeps, and
which of their rows the audit log names. A later app (check-in) registers its own part."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.common.money import euro
from goedeburen.common.personal_data import Part, Preview
from goedeburen.common.personal_data import register as register_part
from goedeburen.mail.addresses import opt_out_address
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import MailAttachment, OptOut, OutgoingMail
from goedeburen.matching.models import Placement, Ranking
from goedeburen.payments import queries as payment_queries
from goedeburen.payments.models import Invoice, Payment, Settlement

# The outbox --------------------------------------------------------------------------------


def _mails(registration):
    return OutgoingMail.objects.filter(registration=registration)


def export_mail(registration) -> list[dict]:
    return [
        {
            "kind": mail.kind,
            "subject": mail.subject,
            "state": mail.state,
            "sent": mail.sent_at.isoformat() if mail.sent_at else None,
        }
        for mail in _mails(registration).order_by("created", "pk")
    ]


def preview_mail(registration) -> Preview:
    count = _mails(registration).count()
    if not count:
        return Preview()
    return Preview(
        erased=[
            _("%(count)s mails in the outbox: address, text and attachments") % {"count": count}
        ]
    )


# What an erased mail keeps of its texts: nothing (the server's reply names the address too).
ERASED_MAIL = {
    "recipient": "",
    "reply_to": "",
    "subject": "",
    "body_text": "",
    "body_html": "",
    "secrets": "",
    "context": {},
    "last_error": "",
}


def erase_mail(registration) -> int:
    """Wipe address, texts, secrets and attachments of the registration's mails; cancel
    those not sent yet. Their rows stay, so the outbox still shows that a mail went."""
    mails = _mails(registration)
    MailAttachment.objects.filter(mail__in=mails).delete()
    mails.filter(state__in=[MailState.QUEUED, MailState.FAILED]).update(state=MailState.CANCELLED)
    changed = mails.update(**ERASED_MAIL)
    emails = {opt_out_address(registration.email)} | {
        opt_out_address(a.email) for a in registration.attendees.all() if a.email
    }
    OptOut.objects.filter(event=registration.event, email__in=emails - {""}).delete()
    return changed


# Payments ----------------------------------------------------------------------------------


def export_payments(registration) -> dict:
    return {
        "payments": [
            {
                "provider": p.provider,
                "amount": str(p.amount),
                "state": p.state,
                "created": p.created.isoformat(),
            }
            for p in Payment.objects.filter(registration=registration).order_by("pk")
        ],
        "invoices": [
            {
                "number": i.number,
                "kind": i.kind,
                "date": i.issue_date.isoformat(),
                "buyer": i.buyer_name,
                "total": str(i.total),
            }
            for i in Invoice.objects.filter(registration=registration).order_by("pk")
        ],
    }


def preview_payments(registration) -> Preview:
    invoices = list(Invoice.objects.filter(registration=registration).order_by("pk"))
    if not invoices:
        return Preview()
    kept, codes = [], ["invoice_duty"]
    for invoice in invoices:
        keep_until = invoice.year + 7
        kept.append(
            _(
                "%(kind)s %(number)s of %(date)s, with the buyer's name and address on it: "
                "kept until the end of %(year)s (the 7-year duty of art. 52 AWR)"
            )
            % {
                "kind": invoice.get_kind_display(),
                "number": invoice.number,
                "date": formats.date_format(invoice.issue_date, "DATE_FORMAT"),
                "year": keep_until,
            }
        )
    open_amount = payment_queries.balance(registration).open
    if open_amount > 0:
        codes.append("unpaid_invoice")
        kept.append(
            _("%(amount)s is still unpaid: the claim and the invoice address stay")
            % {"amount": euro(open_amount)}
        )
    return Preview(kept=kept, kept_codes=codes)


def erase_payments(registration) -> int:
    """Blank the free texts about the registration's money (a payment's note, the reason of
    a cancellation's settlement); amounts, invoices and bank lines stay (bookkeeping)."""
    notes = Payment.objects.filter(registration=registration).exclude(note="").update(note="")
    reasons = (
        Settlement.objects.filter(registration=registration).exclude(reason="").update(reason="")
    )
    return notes + reasons


def payment_log_subjects(registration):
    return [
        *Payment.objects.filter(registration=registration),
        *Invoice.objects.filter(registration=registration),
    ]


# Session choices ---------------------------------------------------------------------------


def export_sessions(registration) -> dict:
    attendees = list(registration.attendees.all())
    return {
        "rankings": [
            {"attendee": r.attendee_id, "session": r.session.title_nl, "rank": r.rank}
            for r in Ranking.objects.filter(attendee__in=attendees).select_related("session")
        ],
        "placements": [
            {"attendee": p.attendee_id, "session": p.session.title_nl}
            for p in Placement.objects.filter(attendee__in=attendees).select_related("session")
        ],
    }


def register() -> None:
    """Register the parts of mail, payments and matching (from `PrivacyConfig.ready`)."""
    register_part(
        Part(
            name="mail",
            label=gettext_lazy("Mail"),
            export=export_mail,
            preview=preview_mail,
            erase=erase_mail,
            log_subjects=lambda registration: list(_mails(registration)),
        )
    )
    register_part(
        Part(
            name="payments",
            label=gettext_lazy("Payments and invoices"),
            export=export_payments,
            preview=preview_payments,
            erase=erase_payments,
            log_subjects=payment_log_subjects,
        )
    )
    register_part(
        Part(name="sessions", label=gettext_lazy("Session choices"), export=export_sessions)
    )
