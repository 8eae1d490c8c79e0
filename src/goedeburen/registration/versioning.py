"""Move the event's version on whenever what booking reads of it changes.

`queries.booking_data` and the cached public pages are keyed by `Event.updated`. Ticket
types, quotas (their ticket types), questions, options and the registration settings are
written by the back office, the demo loader and the admin; rather than trust every one of
them to remember, their saves and deletes move the version on here. Only a cache key
depends on this: no rule of the domain does.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from goedeburen.events.models import Event

from .models import Question, QuestionOption, Quota, RegistrationSettings, TicketType


def bump(event_id: int | None) -> None:
    """Move the event's version (`updated`) on."""
    if event_id is not None:
        Event.objects.filter(pk=event_id).update(updated=timezone.now())


def _changed(sender, instance, **kwargs):
    if isinstance(instance, QuestionOption):
        event_id = (
            Question.objects.filter(pk=instance.question_id)
            .values_list("event_id", flat=True)
            .first()
        )
    else:
        event_id = instance.event_id
    bump(event_id)


def _links_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump(getattr(instance, "event_id", None))


def connect() -> None:
    """Connect the receivers (from `RegistrationConfig.ready`)."""
    for model in (TicketType, Quota, Question, QuestionOption, RegistrationSettings):
        uid = f"registration.versioning.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ".delete")
    for through in (Quota.ticket_types.through, Question.ticket_types.through):
        m2m_changed.connect(
            _links_changed, sender=through, dispatch_uid=f"registration.versioning.{through}"
        )
