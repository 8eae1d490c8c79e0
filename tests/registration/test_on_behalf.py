"""A registration on someone's behalf (issue 17): a care worker registers a resident, with
the resident's consent recorded (when, by whom), in the back office detail and its history;
the resident needs no email address of their own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from goedeburen.common.audit import history
from goedeburen.registration import services
from goedeburen.registration.models import Registration
from tests.factories import TeamMemberFactory, UserFactory, attendee, billing, form_token

from .helpers import form_data, url

pytestmark = pytest.mark.django_db

START = "public:registration.start"
ON_BEHALF = {"booker-name": "Carla Zorg", "booker-email": "carla@zorg.example"}


def test_registering_someone_else_needs_their_consent(client, event, hall, free):
    data = form_data(client, event, [free], **ON_BEHALF, **{"booker-on_behalf": "on"})

    html = client.post(url(START, event.slug), data).content.decode()

    assert "Please correct 1 error" in html
    assert "you may only register someone else if they agree" in html
    assert Registration.objects.count() == 0


def test_the_consent_is_stored_with_its_moment_and_the_registrants_name(client, event, hall, free):
    data = form_data(
        client,
        event,
        [free],
        **ON_BEHALF,
        **{"booker-on_behalf": "on", "booker-on_behalf_consent": "on"},
    )
    before = timezone.now()

    response = client.post(url(START, event.slug), data)

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert before <= registration.on_behalf_consent_at <= timezone.now()
    assert registration.on_behalf_by == "Carla Zorg"
    # The resident has no address of their own: the booker's serves.
    [resident] = registration.attendees.all()
    assert resident.email == ""
    assert registration.email == "carla@zorg.example"
    entry = next(e for e in history(registration) if e.action == "registration.on_behalf")
    assert entry.data["by"] == "Carla Zorg"


def test_a_registration_for_oneself_records_no_consent(client, event, hall, free):
    client.post(url(START, event.slug), form_data(client, event, [free]))

    registration = Registration.objects.get()
    assert registration.on_behalf_consent_at is None
    assert registration.on_behalf_by == ""
    assert [e.action for e in history(registration)] == ["registration.created"]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "By Carla Zorg, who confirmed on"),
        ("nl", "Door Carla Zorg, die op"),
    ],
)
def test_the_back_office_shows_the_consent_and_its_history(
    client, event, hall, free, language, sentence
):
    registration = services.register(
        event,
        booker=services.Booker(name="Carla Zorg", email="carla@zorg.example", on_behalf=True),
        attendees=[attendee(free, email="")],
        billing=billing(),
        form_token=form_token(event),
        language="nl",
    )
    owner = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=owner, role="owner")
    client.force_login(owner)
    with translation.override(language):
        detail = reverse(
            "backoffice:registration.detail",
            kwargs={"event": event.slug, "code": registration.code},
        )

    html = client.get(detail).content.decode()

    assert sentence in html
    moment = timezone.localtime(registration.on_behalf_consent_at)
    assert moment.strftime("%H:%M") in html
    logged = (
        "Registered for someone else by Carla Zorg"
        if language == "en"
        else "Aangemeld voor iemand anders door Carla Zorg"
    )
    assert logged in html
    assert moment - timezone.localtime() < dt.timedelta(minutes=1)
