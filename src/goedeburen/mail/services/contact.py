"""The contact form of the event site: a message to the secretariat, reply-to the sender."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goedeburen.common.locks import hold_until_commit
from goedeburen.events.models import Event

from ..enums import MailKind
from ..exceptions import MailError
from ..models import OutgoingMail
from .outbox import queue_mail

# The same message from one sender within this while is the first sent again.
RESEND_WINDOW = dt.timedelta(minutes=10)


def send_contact_message(event: Event, *, name: str, email: str, message: str) -> OutgoingMail:
    """Queue the message to the event's secretariat, with replies going to the sender.

    The mail is in the site's language, for the secretariat. The limit per sender is the
    view's (`common.limits`: per client address, in the shared cache). The same message
    from the same sender within `RESEND_WINDOW` is queued once (the first is returned).
    Side effects: an outbox mail.
    """
    if not event.contact_email:
        raise MailError(_("This event has no contact address."), code="no_contact")
    with translation.override(settings.LANGUAGE_CODE):
        return _queue(event, name=name, email=email, message=message, queue_mail=queue_mail)


def _queue(event, *, name, email, message, queue_mail) -> OutgoingMail:
    body = _("Message from %(name)s <%(email)s> through the contact form of %(event)s:") % {
        "name": name,
        "email": email,
        "event": event.name_nl,
    }
    body_text = f"{body}\n\n{message.strip()}\n"
    with transaction.atomic():
        # One sender's messages one after the other: the same message sent again (a
        # double click, a retry) finds the first and goes once.
        hold_until_commit("contact", f"{event.pk}:{email.strip().lower()}")
        sent = sent_just_now(event, email=email, body_text=body_text)
        if sent is not None:
            return sent
        return queue_mail(
            event,
            kind=MailKind.CONTACT,
            recipient=event.contact_email,
            language=settings.LANGUAGE_CODE,
            subject=_("Contact form: %(name)s") % {"name": " ".join(name.split())},
            body_text=body_text,
            reply_to=email,
        )


def sent_just_now(event: Event, *, email: str, body_text: str) -> OutgoingMail | None:
    """Return the same message from `email` to the event's secretariat queued within
    `RESEND_WINDOW`, if any."""
    return (
        OutgoingMail.objects.filter(
            event=event,
            kind=MailKind.CONTACT,
            reply_to=email,
            body_text=body_text,
            created__gte=timezone.now() - RESEND_WINDOW,
        )
        .order_by("-pk")
        .first()
    )
