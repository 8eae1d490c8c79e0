"""Background work for events: thin wrappers that take ids and call a service."""

from django_tasks import task

from . import services, teams
from .models import Event, Invitation


@task()
def render_calendar(event_id: int) -> str:
    """Render and store the event's calendar file; return its storage name."""
    event = Event.objects.get(pk=event_id)
    return services.store_event_calendar(event)


@task()
def send_invitation(invitation_id: int, language: str) -> bool:
    """Mail the invitation's link (computed here, never stored); False if it is no longer open."""
    invitation = Invitation.objects.select_related("organiser", "event", "invited_by").get(
        pk=invitation_id
    )
    return teams.send_invitation_mail(invitation, language=language)
