"""An organiser builds an event through the screens, publishes it, and the site shows it."""

import pytest
from django.urls import reverse

from goedeburen.accounts.models import AppDevice
from goedeburen.common.audit import history
from goedeburen.events.models import Event, EventStatus, Role, Room, Round, Session, Venue
from tests.backoffice.conftest import CONFIRM, PASSWORD
from tests.clients import current_code
from tests.factories import OrganiserFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENT = {
    "slug": "buurtdag",
    "name_nl": "Buurtdag",
    "name_en": "Neighbourhood day",
    "tagline_nl": "Wie woont er naast u?",
    "date": "2027-06-11",
    "start_time": "10:00",
    "end_time": "16:00",
    "price": "25.00",
    "contact_email": "secretariaat@example.org",
}


def _post(client, name, data, *, expect_redirect=True, **kwargs):
    response = client.post(reverse(f"backoffice:{name}", kwargs=kwargs), data)
    if expect_redirect:
        errors = response.context["form"].errors if response.status_code == 200 else None
        assert (response.status_code, errors) == (302, None)
    return response


def test_organiser_builds_and_publishes_an_event_that_the_site_then_shows(client):
    organiser = OrganiserFactory()
    user = UserFactory(username="secretariaat")
    TeamMemberFactory(organiser=organiser, user=user, role=Role.OWNER)

    response = client.post(
        reverse("backoffice:login"), {"username": "secretariaat", "password": PASSWORD}
    )
    assert (response.status_code, response.url) == (302, reverse("backoffice:dashboard"))
    # An organiser's owner sets up a second factor before anything else.
    setup = client.get(reverse("backoffice:dashboard"))
    assert setup.url.startswith(reverse("backoffice:two_factor.setup"))
    client.get(setup.url)
    device = AppDevice.objects.get(user=user)
    response = client.post(setup.url, {"token": current_code(device)})
    assert len(response.context["codes"]) == 10
    dashboard = client.get(reverse("backoffice:dashboard"))
    assert list(dashboard.context["organisers"]) == [organiser]

    response = _post(client, "event.create", EVENT, organiser=organiser.slug)
    event = Event.objects.get(slug="buurtdag")
    assert response.url == reverse("backoffice:event.detail", kwargs={"event": "buurtdag"})
    assert (event.organiser, event.status, event.name_en) == (
        organiser,
        EventStatus.DRAFT,
        "Neighbourhood day",
    )
    assert client.get(reverse("public:event.home", args=["buurtdag"])).status_code == 404

    on_event = {"event": "buurtdag"}
    _post(
        client,
        "venue.create",
        {"name": "Wijkcentrum De Boog", "street": "Boogstraat 1", "city": "Utrecht"},
        **on_event,
    )
    venue = Venue.objects.get(organiser=organiser)
    for room in ("Zaal 1", "Zaal 2"):
        _post(
            client,
            "room.create",
            {"name": room, "capacity": "12", "step_free": "on"},
            venue=venue.pk,
            **on_event,
        )
    _post(client, "event.update", {**EVENT, "venue": venue.pk}, **on_event)
    _post(client, "speaker.create", {"name": "Aly Gruppen", "slug": "aly-gruppen"}, **on_event)
    _post(
        client,
        "project.create",
        {"name": "De Buren", "slug": "de-buren", "place": "Utrecht", "groups_nl": "iedereen"},
        **on_event,
    )
    speaker, project = event.speakers.get(), event.projects.get()
    rooms = list(Room.objects.filter(venue=venue).order_by("name"))
    for kind, title, start, end in (
        ("plenary", "Opening", "10:00", "10:30"),
        ("lunch", "Lunch", "12:30", "13:30"),
    ):
        _post(
            client,
            "item.create",
            {"kind": kind, "title_nl": title, "start": start, "end": end, "speakers": speaker.pk},
            **on_event,
        )
    for title, start, end in (("Ronde 1", "10:45", "12:15"), ("Ronde 2", "13:45", "15:15")):
        _post(client, "round.create", {"title_nl": title, "start": start, "end": end}, **on_event)
    for round_ in Round.objects.filter(event=event):
        for room in rooms:
            _post(
                client,
                "session.create",
                {
                    "round": round_.pk,
                    "kind": "living_room",
                    "title_nl": f"Gesprek {round_.title_nl} {room.name}",
                    "room": room.pk,
                    "capacity": "11",
                    "hosts": speaker.pk,
                    "projects": project.pk,
                    "order": "0",
                },
                **on_event,
            )

    response = _post(client, "event.status", {"status": "published", **CONFIRM}, **on_event)
    assert response.url == reverse("backoffice:event.detail", kwargs=on_event)

    event.refresh_from_db()
    assert (event.status, event.venue) == (EventStatus.PUBLISHED, venue)
    assert Session.objects.filter(round__event=event).count() == 4
    assert [entry.action for entry in history(event)][:2] == ["event.status", "session.created"]
    home = client.get(reverse("public:event.home", args=["buurtdag"]))
    assert home.status_code == 200
    assert "Wie woont er naast u?" in home.content.decode()
    programme = client.get(reverse("public:event.programme", args=["buurtdag"]))
    html = programme.content.decode()
    for text in ("Opening", "Lunch", "Ronde 1", "Ronde 2", "Gesprek Ronde 2 Zaal 2", "Aly Gruppen"):
        assert text in html, text
