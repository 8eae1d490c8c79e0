"""Background work for events: thin wrappers that take ids and call a service."""

from django_tasks import task

from . import services
from .models import Event


@task()
def render_calendar(event_id: int) -> str:
    """Render and store the event's calendar file; return its storage name."""
    event = Event.objects.get(pk=event_id)
    return services.store_event_calendar(event)
