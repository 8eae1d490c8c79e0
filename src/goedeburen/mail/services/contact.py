"""The contact form of the event site: a message to the secretariat, reply-to the sender."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from goedeburen.events.models import Event

from ..enums import MailKind
from ..exceptions import MailError
from ..models import OutgoingMail
from .outbox import queue_mail

# Per sender's IP address and event: this many messages an hour, then a polite refusal.
CONTACT_LIMIT = 5
CONTACT_WINDOW_SECONDS = 3600


def send_contact_message(
    event: Event, *, name: str, email: str, message: str, client: str
) -> OutgoingMail:
    """Queue the message to the event's secretariat, with replies going to the sender.

    `client` (the sender's IP address) is rate-limited. The mail is in the site's language,
    for the secretariat. Side effects: an outbox mail; a count in the cache.
    """
    if not event.contact_email:
        raise MailError(_("This event has no contact address."), code="no_contact")
    key = f"mail:contact:{event.pk}:{client}"
    cache.add(key, 0, CONTACT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, CONTACT_WINDOW_SECONDS)
        count = 1
    if count > CONTACT_LIMIT:
        raise MailError(
            _(
                "You have sent several messages already. Please try again in an hour, "
                "or write to %(email)s."
            )
            % {"email": event.contact_email},
            code="rate_limited",
        )
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
