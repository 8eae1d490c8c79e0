"""Reads of the outbox that screens share."""

from django.db.models import QuerySet

from goedeburen.events.models import Event

from .enums import MailState
from .models import OutgoingMail


def outbox(event: Event, *, state: str = "") -> QuerySet[OutgoingMail]:
    """Return the event's outgoing mail, newest first; only those in `state` when given."""
    mails = OutgoingMail.objects.filter(event=event).select_related("registration")
    if state in MailState.values:
        mails = mails.filter(state=state)
    return mails.defer("body_text", "body_html")
