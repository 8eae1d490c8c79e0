"""The contact form of the event site: a message to the secretariat, reply-to the sender."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from goedeburen.events.models import Event

from ..enums import MailKind
from ..exceptions import MailError
from ..models import OutgoingMail
from .outbox import queue_mail


def send_contact_message(event: Event, *, name: str, email: str, message: str) -> OutgoingMail:
    """Queue the message to the event's secretariat, with replies going to the sender.

    The mail is in the site's language, for the secretariat. The limit per sender is the
    view's (`common.limits`: per client address, in the shared cache).
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
    with transaction.atomic():
        return queue_mail(
            event,
            kind=MailKind.CONTACT,
            recipient=event.contact_email,
            language=settings.LANGUAGE_CODE,
            subject=_("Contact form: %(name)s") % {"name": " ".join(name.split())},
            body_text=f"{body}\n\n{message.strip()}\n",
            reply_to=email,
        )
