"""Use cases that change events and their programmes; the only code here that writes.

Every change is written to the audit log, and every programme change re-renders the
calendar file in the background and invalidates the cached public pages (both through
`_programme_changed`).
"""

from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone, translation

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit

from . import exceptions, tasks
from .calendar import next_sequence, programme_calendar
from .models import Event, EventStatus, Organiser, Role, Room, Session, TeamMember, Venue


def _now():
    return timezone.now()


def _programme_changed(event: Event) -> None:
    # `updated` versions the cached public pages of this event, `calendar_sequence` its
    # calendar files (strictly growing, also for two changes in one second).
    now = _now()
    Event.objects.filter(pk=event.pk).update(updated=now, calendar_sequence=next_sequence(now))
    enqueue_on_commit(tasks.render_calendar, event.pk)


def _changes(instance: models.Model, before: dict) -> dict:
    after = _snapshot(instance)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _snapshot(instance: models.Model) -> dict:
    values = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue  # a time stamp that changes on every save says nothing about the change
        value = getattr(instance, field.attname)
        values[field.attname] = value if isinstance(value, int | bool | type(None)) else str(value)
    return values


def _event_id_of(instance: models.Model) -> int | None:
    if isinstance(instance, Event):
        return instance.pk
    if isinstance(instance, Session):
        return instance.round.event_id if instance.round_id else None
    return instance.event_id


def _check_part_of(instance: models.Model, event: Event) -> None:
    # Views limit their querysets to the event; this keeps a slip there from writing into
    # another organiser's event.
    if _event_id_of(instance) != event.pk:
        raise exceptions.EventError(exceptions.NOT_PART_OF_EVENT, code="wrong_event")


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
    Raise `ValidationError` when the instance breaks a rule of its model, `EventError` when
    it belongs to another event. Side effects: log entry with before/after; cached pages
    invalidated; calendar re-rendered.
    """
    before = {}
    if instance.pk:
        before = _snapshot(type(instance).objects.get(pk=instance.pk))
    instance.full_clean()
    _check_part_of(instance, event)
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
    """Delete one part of an event's programme (a round takes its sessions with it).

    Raise `EventError` when the part belongs to another event. Side effects: log entry on
    the event; cached pages invalidated; calendar re-rendered.
    """
    _check_part_of(instance, event)
    log_action(
        event,
        action=f"{instance._meta.model_name}.deleted",
        by=by,
        data={"object": str(instance), "id": instance.pk},
    )
    instance.delete()
    _programme_changed(event)


def _venue_of(instance: Venue | Room) -> Venue:
    return instance if isinstance(instance, Venue) else instance.venue


def _venue_changed(venue: Venue) -> None:
    for event in Event.objects.filter(venue_id=venue.pk):
        _programme_changed(event)


@transaction.atomic
def save_venue_part(instance: Venue | Room, *, organiser: Organiser, by) -> Venue | Room:
    """Validate and save a venue of `organiser`, or a room in one of its venues.

    Raise `ValidationError` when the instance breaks a rule of its model, `EventError` when
    the venue is another organiser's. Side effects: log entry with before/after on the
    object (and on the venue for a room); cached pages and calendar files of every event at
    the venue refreshed.
    """
    before = {}
    if instance.pk:
        before = _snapshot(type(instance).objects.get(pk=instance.pk))
    instance.full_clean()
    venue = _venue_of(instance)
    if venue.organiser_id != organiser.pk:
        raise exceptions.EventError(exceptions.NOT_PART_OF_EVENT, code="wrong_organiser")
    instance.save()
    action = f"{instance._meta.model_name}.{'changed' if before else 'created'}"
    log_action(instance, action=action, by=by, data=_changes(instance, before))
    if instance is not venue:
        log_action(venue, action=action, by=by, data={"object": str(instance)})
    _venue_changed(venue)
    return instance


@transaction.atomic
def delete_venue_part(instance: Venue | Room, *, organiser: Organiser, by) -> None:
    """Delete a venue of `organiser` or one of its rooms.

    A venue where an event takes place is kept (`EventError`); programme items and sessions
    in a deleted room keep their place in the programme without a room. Side effects: log
    entry on the venue; cached pages and calendar files of the events there refreshed.
    """
    venue = _venue_of(instance)
    if venue.organiser_id != organiser.pk:
        raise exceptions.EventError(exceptions.NOT_PART_OF_EVENT, code="wrong_organiser")
    if isinstance(instance, Venue) and Event.objects.filter(venue=instance).exists():
        raise exceptions.EventError(exceptions.VENUE_IN_USE, code="venue_in_use")
    _venue_changed(venue)
    action = f"{instance._meta.model_name}.deleted"
    log_action(venue, action=action, by=by, data={"object": str(instance), "id": instance.pk})
    instance.delete()


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
    with translation.override(settings.LANGUAGE_CODE):  # one file, in the site's language
        content = programme_calendar(event)
    old_name = event.calendar_file.name
    event.calendar_file.save(f"{event.slug}.ics", ContentFile(content), save=False)
    # Moving `updated` on lets the cached pages show the new "add to calendar" link at once.
    Event.objects.filter(pk=event.pk).update(
        calendar_file=event.calendar_file.name, updated=timezone.now()
    )
    if old_name and old_name != event.calendar_file.name:
        event.calendar_file.storage.delete(old_name)
    return event.calendar_file.name
