import datetime as dt
from decimal import Decimal

import pytest

from goedeburen.events.demo import load_demo, upcoming_date
from goedeburen.events.models import (
    Event,
    ItemKind,
    ProgrammeItem,
    Session,
    SessionKind,
)
from goedeburen.registration.queries import price_list

pytestmark = pytest.mark.django_db


def _dump():
    from django.apps import apps
    from django.core import serializers

    models = [m for m in apps.get_app_config("events").get_models()]
    return {m.__name__: serializers.serialize("json", m.objects.order_by("pk")) for m in models}


def test_demo_holds_the_announcements_facts(demo_event):
    event = Event.objects.select_related("venue").get(pk=demo_event.pk)
    assert event.name_nl == "Goede buren"
    assert event.date == dt.date(2018, 1, 26)
    assert (event.start_time, event.end_time) == (dt.time(10, 0), dt.time(16, 30))
    assert (event.venue.name, event.venue.street, event.venue.city) == (
        "Het Huis van Portaal",
        "Beneluxlaan 9",
        "Utrecht",
    )
    # The price is the ticket types' (the event has none of its own to disagree with it).
    tickets = price_list(event).tickets
    assert [(t.name_nl, t.price) for t in tickets] == [
        ("Deelname", Decimal("125.00")),
        ("Bewoner van een gemengd woonproject", Decimal("0.00")),
    ]
    assert price_list(event).includes == "lunch, koffie & thee, borrel en publicatie"
    assert event.contact_email == "secretariaatmeedoennaarvermogen@utrecht.nl"
    assert [p.name for p in event.partners.all()] == [
        "Portaal",
        "Platform31",
        "Gemeente Utrecht",
        "Ontwikkelwerkplaats gemengd wonen",
        "Kenniscentrum Sociale Innovatie HU",
    ]
    assert all(p.logo for p in event.partners.all())


def test_demo_programme_has_every_element_of_the_announcement(demo_event):
    kinds = set(ProgrammeItem.objects.filter(event=demo_event).values_list("kind", flat=True))
    assert kinds == {k.value for k in ItemKind}
    reflections = ProgrammeItem.objects.filter(event=demo_event, kind=ItemKind.REFLECTION)
    speakers = {s.name for item in reflections for s in item.speakers.all()}
    assert speakers == {
        "Erik Dannenberg",
        "Kees Diepeveen",
        "Paulus Jansen",
        "Dirk Jan van der Zeep",
        "Maarten Davelaar",
        "Aly Gruppen",
        "Jeroen Knevel",
    }
    living_rounds = demo_event.rounds.filter(sessions__kind=SessionKind.LIVING_ROOM).distinct()
    assert living_rounds.count() == 2
    for round_ in living_rounds:
        assert round_.sessions.count() == 24
        assert set(round_.sessions.values_list("capacity", flat=True)) == {11}
    assert (
        Session.objects.filter(round__event=demo_event, kind=SessionKind.WORK_SESSION).count() == 8
    )
    films = ProgrammeItem.objects.filter(event=demo_event, kind=ItemKind.FILM)
    assert all(film.projects.exists() for film in films)


def test_demo_programme_fits_its_own_rules(demo_event):
    for item in demo_event.items.all():
        item.full_clean()
    for round_ in demo_event.rounds.all():
        round_.full_clean()
        for session in round_.sessions.all():
            session.full_clean()


def test_demo_second_load_changes_nothing(demo_event):
    before = _dump()
    _, changed = load_demo()
    assert changed == 0
    assert _dump() == before


def test_demo_upcoming_moves_to_a_friday_six_weeks_ahead(db):
    event, _ = load_demo(upcoming=True, today=dt.date(2026, 11, 24))
    assert event.date == dt.date(2027, 1, 8)
    assert event.date.weekday() == 4


def test_demo_text_names_the_demos_own_date(db):
    upcoming, _ = load_demo(upcoming=True, today=dt.date(2026, 11, 24))
    assert "op 8 januari 2027 ontmoet u" in upcoming.description_nl
    assert "on 8 January 2027 you will meet" in upcoming.description_en
    assert "2018" not in upcoming.description_nl + upcoming.description_en

    real, _ = load_demo()
    assert "op 26 januari 2018 ontmoet u" in real.description_nl


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 11, 24), dt.date(2027, 1, 8)),  # Tuesday: +6 weeks is a Tuesday
        (dt.date(2026, 11, 27), dt.date(2027, 1, 8)),  # Friday: exactly six weeks
        (dt.date(2026, 11, 28), dt.date(2027, 1, 15)),  # Saturday
    ],
)
def test_upcoming_date_is_first_friday_at_least_six_weeks_ahead(today, expected):
    assert upcoming_date(today) == expected


@pytest.mark.parametrize(
    ("username", "refusal"),
    [
        ("x" * 151, "niet meer dan 150 tekens"),
        ("jan de vries", "geldige gebruikersnaam"),
        ("", "niet leeg"),
    ],
)
def test_demo_account_refuses_a_user_name_the_login_would_refuse(
    demo_event, settings, username, refusal
):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    settings.DEBUG = True
    with pytest.raises(CommandError, match=refusal):
        call_command("demo_account", username=username, stdout=None)
    assert not get_user_model().objects.exists()


def test_demo_account_refuses_an_empty_password(demo_event, settings):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    settings.DEBUG = True
    with pytest.raises(CommandError, match="empty password"):
        call_command("demo_account", password=" ", stdout=None)
    assert not get_user_model().objects.exists()
