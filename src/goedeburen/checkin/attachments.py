"""Files check-in adds to mails (registered with `mail.composing.register_attachments`):
the tickets with the mail that confirms a registration, the new person's own ticket with the
mails to a colleague who goes instead, the certificates with the thank-you.

Called by the worker when it renders a mail, in the mail's language; reads only.
"""

from goedeburen.mail.composing import Attachment
from goedeburen.mail.enums import ATTENDEE_KINDS, MailKind
from goedeburen.registration.enums import RegistrationStatus

from . import queries

PDF = "application/pdf"
# The mails that tell a booker their registration is confirmed (at once, on approval of a
# free ticket, or once paid).
CONFIRMING = frozenset({MailKind.CONFIRMATION, MailKind.APPROVED, MailKind.PAYMENT_RECEIVED})


def for_mail(kind, *, event, registration, attendee=None) -> list[Attachment]:
    if registration is None:
        return []
    from . import pdf  # here: reportlab and segno are for the processes that render mail

    confirmed = registration.status == RegistrationStatus.CONFIRMED
    if kind in CONFIRMING and confirmed:
        content = pdf.tickets.render_tickets(registration)
        if content:
            return [Attachment(f"tickets-{registration.code}.pdf", content, PDF)]
    # The colleague who goes instead gets their own ticket (its code is new), on the same
    # rule as the booker's: once the registration is confirmed, with their mail or, when
    # that went before, with a mail of its own. Never the others' tickets: anyone who
    # shows one gets in.
    if kind in ATTENDEE_KINDS and confirmed and attendee is not None:
        content = pdf.tickets.render_tickets(registration, attendees=[attendee])
        if content:
            return [Attachment(f"ticket-{registration.code}-{attendee.pk}.pdf", content, PDF)]
    if kind == MailKind.THANK_YOU and queries.checkin_settings(event).certificates:
        found = queries.certificates_of(registration)
        if found:
            content = pdf.certificates.render_certificates(found)
            return [Attachment(f"certificate-{registration.code}.pdf", content, PDF)]
    return []
