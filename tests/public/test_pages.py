import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from goedeburen.events import services
from goedeburen.events.models import EventStatus
from goedeburen.events.tasks import render_calendar
from tests.factories import (
    EventFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db

EVENT_PAGES = [
    "public:event.home",
    "public:event.programme",
    "public:speaker.list",
    "public:project.list",
    "public:event.practical",
    "public:event.contact",
    "public:event.privacy",
]


@pytest.mark.parametrize("name", EVENT_PAGES)
def test_event_page_of_demo_answers_in_both_languages(client, demo_event, name):
    for language, title in (("nl", "Goede buren"), ("en", "Good neighbours")):
        with translation.override(language):
            response = client.get(reverse(name, args=[demo_event.slug]))
        assert response.status_code == 200
        assert title in response.content.decode()


@pytest.mark.parametrize("name", EVENT_PAGES)
def test_event_page_of_draft_is_not_found(client, name):
    event = EventFactory(status=EventStatus.DRAFT)
    assert client.get(reverse(name, args=[event.slug])).status_code == 404


def test_home_shows_every_fact_of_the_announcement(client, demo_event):
    html = client.get(reverse("public:event.home", args=[demo_event.slug])).content.decode()
    for fact in (
        "Goede buren",
        "Wat werkt in woongebouwen waar verschillende groepen mensen samen wonen?",
        "ook wel ‘de Magic Mix’ genoemd",
        "Wat mag u verwachten?",
        "huiskamergesprekken: kennismaken met bewoners en medewerkers",
        "korte films: gemengde woonprojecten en hun opbrengsten in beeld gebracht.",
        "Voor wie",
        "medewerkers en bestuurders van woningcorporaties",
        "Vrijdag 26 januari 2018",
        "10:00 – 16:30 uur",
        "Het Huis van Portaal",
        "Beneluxlaan 9",
        "€ 125,00",
        "inclusief lunch, koffie &amp; thee, borrel en publicatie",
        "Portaal",
        "Platform31",
        "Gemeente Utrecht",
        "Ontwikkelwerkplaats gemengd wonen",
        "Kenniscentrum Sociale Innovatie HU",
        "Secretariaat Meedoen naar Vermogen",
        "secretariaatmeedoennaarvermogen@utrecht.nl",
    ):
        assert fact in html, fact


def test_home_in_english_shows_the_facts_in_english(client, demo_event):
    html = client.get("/en" + reverse("public:event.home", args=[demo_event.slug])).content
    html = html.decode()
    for fact in (
        "Good neighbours",
        "What you can expect",
        "Who it is for",
        "Friday 26 January 2018",
        "€ 125,00",
        "including lunch, coffee &amp; tea, drinks and the publication",
        'lang="en"',
    ):
        assert fact in html, fact


def test_programme_shows_every_programme_element(client, demo_event):
    html = client.get(reverse("public:event.programme", args=[demo_event.slug])).content.decode()
    for fact in (
        "Huiskamergesprekken, ronde 1",
        "Huiskamergesprekken, ronde 2",
        "Werksessies",
        "Korte film",
        "Discussie over uitdagingen",
        "Lunch",
        "Borrel",
        "Erik Dannenberg",
        "Kees Diepeveen",
        "Paulus Jansen",
        "Dirk Jan van der Zeep",
        "Maarten Davelaar",
        "Aly Gruppen",
        "Jeroen Knevel",
        "Huiskamer 24",
    ):
        assert fact in html, fact


def test_index_goes_straight_to_the_only_event(client, demo_event):
    response = client.get(reverse("public:index"))
    assert response.status_code == 302
    assert response["Location"] == demo_event.get_absolute_url()


def test_index_lists_several_events_and_hides_drafts(client):
    first, second = EventFactory(), EventFactory()
    draft = EventFactory(status=EventStatus.DRAFT)
    html = client.get(reverse("public:index")).content.decode()
    assert first.name_nl in html
    assert second.name_nl in html
    assert draft.name_nl not in html


def test_speaker_and_project_pages_show_their_programme(client):
    event = EventFactory()
    speaker = SpeakerFactory(event=event, affiliation_nl="Wethouder")
    project = ProjectFactory(event=event)
    item = ProgrammeItemFactory(event=event, title_nl="Reflectie")
    item.speakers.add(speaker)
    session = SessionFactory(round=RoundFactory(event=event), title_nl="Huiskamer")
    session.projects.add(project)

    speaker_html = client.get(speaker.get_absolute_url()).content.decode()
    project_html = client.get(project.get_absolute_url()).content.decode()

    assert "Wethouder" in speaker_html and "Reflectie" in speaker_html
    assert "Huiskamer" in project_html


def test_speaker_of_other_event_is_not_found(client):
    event = EventFactory()
    other = SpeakerFactory()
    url = reverse("public:speaker.detail", args=[event.slug, other.slug])
    assert client.get(url).status_code == 404


def test_programme_change_shows_at_once_despite_the_page_cache(client):
    event = EventFactory()
    item = ProgrammeItemFactory(event=event, title_nl="Oude titel")
    url = reverse("public:event.programme", args=[event.slug])
    assert "Oude titel" in client.get(url).content.decode()

    item.title_nl = "Nieuwe titel"
    services.save_event_part(item, event=event, by=None)

    html = client.get(url).content.decode()
    assert "Nieuwe titel" in html
    assert "Oude titel" not in html


def _programme_queries(client, rounds: int) -> int:
    event = EventFactory()
    for hour in range(rounds):
        round_ = RoundFactory(event=event, start=dt.time(10 + hour), end=dt.time(10 + hour, 50))
        for _ in range(3):
            session = SessionFactory(round=round_)
            session.projects.add(ProjectFactory(event=event))
            session.hosts.add(SpeakerFactory(event=event))
        item = ProgrammeItemFactory(
            event=event, start=dt.time(10 + hour, 50), end=dt.time(10 + hour, 59)
        )
        item.speakers.add(SpeakerFactory(event=event))
    url = reverse("public:event.programme", args=[event.slug])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_programme_query_count_does_not_grow_with_the_programme(client):
    assert _programme_queries(client, 1) == _programme_queries(client, 3)


def test_calendar_file_is_served_once_the_worker_rendered_it(client, demo_event):
    url = reverse("public:event.calendar", args=[demo_event.slug])
    demo_event.calendar_file = ""
    demo_event.save()
    assert client.get(url).status_code == 404

    render_calendar.call(demo_event.pk)

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(b"".join(response.streaming_content))
    entries = calendar.walk("VEVENT")
    main = next(e for e in entries if str(e["uid"]).startswith("event@"))
    assert main.decoded("dtstart").isoformat() == "2018-01-26T10:00:00+01:00"
    assert main.decoded("dtend").isoformat() == "2018-01-26T16:30:00+01:00"
    assert len(entries) == 1 + demo_event.items.count() + demo_event.rounds.count()


@pytest.mark.parametrize(
    ("name", "factory"),
    [("public:speaker.list", SpeakerFactory), ("public:project.list", ProjectFactory)],
)
def test_list_query_count_does_not_grow_with_rows(client, name, factory):
    counts = []
    for rows in (1, 3):
        event = EventFactory()
        for _ in range(rows):
            factory(event=event)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=[event.slug])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_calendar_link_appears_on_cached_programme_once_rendered(client, demo_event):
    demo_event.calendar_file = ""
    demo_event.save()
    url = reverse("public:event.programme", args=[demo_event.slug])
    calendar_url = reverse("public:event.calendar", args=[demo_event.slug])
    assert calendar_url not in client.get(url).content.decode()

    render_calendar.call(demo_event.pk)

    assert calendar_url in client.get(url).content.decode()


def test_programme_calendar_is_in_the_readers_language(client, demo_event):
    # The worker renders the file in the site's language; an English reader gets English
    # titles and descriptions.
    render_calendar.call(demo_event.pk)
    demo_event.refresh_from_db()
    item = demo_event.items.exclude(title_en="").exclude(description_en="").first()

    def entries(language):
        with translation.override(language):
            response = client.get(reverse("public:event.calendar", args=[demo_event.slug]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        calendar = Calendar.from_ical(body)
        return {str(e["uid"]): e for e in calendar.walk("VEVENT")}

    dutch, english = entries("nl"), entries("en")

    uid = f"item-{item.pk}@{demo_event.slug}.goedeburen"
    assert str(english[uid]["summary"]) == f"{demo_event.name_en}: {item.title_en}"
    assert str(english[uid]["description"]) == item.description_en
    assert str(dutch[uid]["summary"]) == f"{demo_event.name_nl}: {item.title_nl}"
    assert str(dutch[uid]["description"]) == item.description_nl
    assert english.keys() == dutch.keys()  # the same entries, the same UIDs
    assert english[uid].decoded("dtstart") == dutch[uid].decoded("dtstart")


def test_programme_calendar_gives_the_rooms_the_programme_page_shows(client, demo_event):
    render_calendar.call(demo_event.pk)
    demo_event.refresh_from_db()
    response = client.get(reverse("public:event.calendar", args=[demo_event.slug]))
    calendar = Calendar.from_ical(b"".join(response.streaming_content))
    entries = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    venue = f"{demo_event.venue.name}, {demo_event.venue.address}"
    page = client.get(reverse("public:event.programme", args=[demo_event.slug])).content.decode()

    items = list(demo_event.items.select_related("room"))
    assert any(item.room for item in items)
    for item in items:
        entry = entries[f"item-{item.pk}@{demo_event.slug}.goedeburen"]
        room = f"{item.room.name}, " if item.room else ""
        assert str(entry["location"]) == f"{room}{venue}"
        assert not item.room or item.room.name in page
    for round_ in demo_event.rounds.prefetch_related("sessions__room"):
        entry = entries[f"round-{round_.pk}@{demo_event.slug}.goedeburen"]
        assert str(entry["location"]) == venue  # its sessions are in several rooms
        lines = str(entry["description"]).split("\n")
        assert [f"{s.title_nl} ({s.room.name})" for s in round_.sessions.all()] == lines[
            -round_.sessions.count() :
        ]


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/nl/", "/"),
        ("/nl/goede-buren/programma/", "/goede-buren/programma/"),
        ("/nl/goede-buren/?utm_source=mail&x=%C3%A9", "/goede-buren/?utm_source=mail&x=%C3%A9"),
        # Never off this site: what a browser would read as another host stays a path here.
        ("/nl//other.example/", "/other.example/"),
        ("/nl/%2F%2Fother.example/", "/other.example/"),
        ("/nl/%5C%5Cother.example/", "/other.example/"),
        ("/nl/%09/other.example/", "/%09/other.example/"),
        ("/nl/%0D%0ALocation:%20x/", "/%0D%0ALocation:%20x/"),
    ],
)
def test_an_address_under_nl_goes_to_the_page_without_the_prefix(client, path, location):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location
