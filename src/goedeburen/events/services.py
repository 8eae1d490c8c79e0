"""Use cases that change events and their programmes; the only code here that writes.

Every change is written to the audit log, and every programme change re-renders the
calendar file in the background and invalidates the cached public pages (both through
`_programme_changed`).
"""

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit

from . import exceptions
from .models import Event, EventStatus, Organiser, Role, TeamMember


def _programme_changed(event: Event) -> None:
    from .tasks import render_calendar

    # `updated` versions the cached public pages of this event.
    Event.objects.filter(pk=event.pk).update(updated=timezone.now())
    enqueue_on_commit(render_calendar, event.pk)


def _changes(instance: models.Model, before: dict) -> dict:
    after = _snapshot(instance)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _snapshot(instance: models.Model) -> dict:
    values = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        values[field.attname] = value if isinstance(value, int | bool | type(None)) else str(value)
    return values


@transaction.atomic
def create_event(*, organiser: Organiser, by, event: Event) -> Event:
    """Save a new draft event for `organiser`; make `by` its owner when not one already.

    Side effects: log entry; calendar file rendered in the background.
    """
    event.organiser = organiser
    event.status = EventStatus.DRAFT
    event.full_clean()
    event.save()
    if by is not None and by.is_authenticated:
        TeamMember.objects.get_or_create(organiser=organiser, user=by, event=None, role=Role.OWNER)
    log_action(event, action="event.created", by=by, data=_snapshot(event))
    _programme_changed(event)
    return event


@transaction.atomic
def save_event_part(
    instance: models.Model, *, event: Event, by, save_related: Callable[[], None] | None = None
) -> models.Model:
    """Validate and save the event itself or one part of it (item, round, session, speaker …).

    `save_related` saves many-to-many links after the row exists (a form's `save_m2m`).
    Side effects: log entry with before/after; cached pages invalidated; calendar re-rendered.
    """
    before = {}
    if instance.pk:
        before = _snapshot(type(instance).objects.get(pk=instance.pk))
    instance.full_clean()
    instance.save()
    if save_related:
        save_related()
    action = f"{instance._meta.model_name}.{'changed' if before else 'created'}"
    log_action(instance, action=action, by=by, data=_changes(instance, before))
    if instance is not event:
        log_action(event, action=action, by=by, data={"object": str(instance)})
    _programme_changed(event)
    return instance


@transaction.atomic
def delete_event_part(instance: models.Model, *, event: Event, by) -> None:
    """Delete one part of an event's programme. Side effects: log entry on the event."""
    log_action(
        event,
        action=f"{instance._meta.model_name}.deleted",
        by=by,
        data={"object": str(instance), "id": instance.pk},
    )
    instance.delete()
    _programme_changed(event)


_TRANSITIONS = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED},
    EventStatus.PUBLISHED: {EventStatus.DRAFT, EventStatus.REGISTRATION_OPEN, EventStatus.ARCHIVED},
    EventStatus.REGISTRATION_OPEN: {EventStatus.CLOSED, EventStatus.PUBLISHED},
    EventStatus.CLOSED: {EventStatus.REGISTRATION_OPEN, EventStatus.ARCHIVED},
    EventStatus.ARCHIVED: {EventStatus.CLOSED},
}


def allowed_transitions(event: Event) -> list[EventStatus]:
    """Return the statuses the event can move to from its current one."""
    return sorted(_TRANSITIONS[EventStatus(event.status)], key=list(EventStatus).index)


@transaction.atomic
def change_event_status(event: Event, *, status: str, by) -> Event:
    """Move the event to `status` (publish, unpublish, open or close registration …).

    Publishing needs a venue and at least one programme part. Side effects: log entry,
    cached pages invalidated.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    current = EventStatus(event.status)
    if status not in _TRANSITIONS[current]:
        raise exceptions.EventError(
            exceptions.INVALID_TRANSITION
            % {
                "from": current.label,
                "to": EventStatus(status).label if status in EventStatus.values else status,
            },
            code="invalid_transition",
        )
    if current == EventStatus.DRAFT and not (
        event.venue_id and (event.items.exists() or event.rounds.exists())
    ):
        raise exceptions.EventError(exceptions.PUBLISH_INCOMPLETE, code="incomplete")
    event.status = status
    event.save(update_fields=["status", "updated"])
    log_action(event, action="event.status", by=by, data={"status": [current.value, status]})
    _programme_changed(event)
    return event


def store_event_calendar(event: Event) -> str:
    """Render the event's calendar file and store it, replacing the previous one."""
    from .calendar import event_calendar

    content = event_calendar(event, site_url=event.get_absolute_url())
    old_name = event.calendar_file.name
    event.calendar_file.save(f"{event.slug}.ics", ContentFile(content), save=False)
    Event.objects.filter(pk=event.pk).update(calendar_file=event.calendar_file.name)
    if old_name and old_name != event.calendar_file.name:
        event.calendar_file.storage.delete(old_name)
    return event.calendar_file.name
