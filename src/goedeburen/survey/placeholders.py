"""The survey's mail placeholders: the personal link to the survey (thank-you, reminder)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from goedeburen.common.links import absolute_url
from goedeburen.mail import placeholders
from goedeburen.mail import queries as mail_queries

from . import eligibility
from .models import Participation, Survey, SurveyState
from .tokens import survey_token


def _links(source: placeholders.Source) -> list[tuple[str, str]]:
    registration = source.registration
    if registration is None:
        return []
    survey = Survey.objects.filter(event=source.event, state=SurveyState.OPEN).first()
    if survey is None:
        return []
    answered = Participation.objects.filter(survey=survey).values("attendee_id")
    attendees = (
        eligibility.eligible_attendees(source.event)
        .filter(registration=registration)
        .exclude(pk__in=answered)
        .select_related("registration")
        .order_by("order", "pk")
    )
    if source.attendee is not None:
        attendees = attendees.filter(pk=source.attendee.pk)
    links = []
    for attendee in attendees:
        kwargs = {"event": source.event.slug, "token": survey_token(attendee)}
        links.append(
            (attendee.full_name, absolute_url(reverse("public:survey.answer", kwargs=kwargs)))
        )
    return links


def evaluation_url(source: placeholders.Source) -> str:
    links = _links(source)
    if links:
        return links[0][1]
    return mail_queries.mail_settings(source.event).evaluation_url


def evaluation_links(source: placeholders.Source) -> str:
    links = _links(source)
    if len(links) < 2:
        return ""
    return "\n".join(f"{name}: {url}" for name, url in links)


def register() -> None:
    """Replace the evaluation link by the personal survey link (from `SurveyConfig.ready`)."""
    placeholders.register(
        "evaluation_url",
        _("the link to the evaluation survey (personal when the survey is open)"),
        evaluation_url,
    )
    placeholders.register(
        "evaluation_links",
        _("one survey link per attendee, when a registration has several"),
        evaluation_links,
    )
