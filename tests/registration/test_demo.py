import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import serializers

from goedeburen.events.demo import load_demo
from goedeburen.events.models import EventStatus
from goedeburen.registration.models import Quota, TicketType

from .helpers import url

pytestmark = pytest.mark.django_db


def _dump() -> dict:
    models = [
        *apps.get_app_config("events").get_models(),
        *apps.get_app_config("registration").get_models(),
    ]
    return {m.__name__: serializers.serialize("json", m.objects.order_by("pk")) for m in models}


def test_demo_sells_participation_and_free_resident_places_from_one_quota(demo_event):
    # The visible ones: the matching demo adds a hidden ticket for its fictional participants.
    participation, resident = TicketType.objects.filter(event=demo_event, visible=True)

    assert (participation.name_nl, participation.price, participation.vat_rate) == (
        "Deelname",
        Decimal("125.00"),
        Decimal("21.00"),
    )
    assert participation.includes_nl == "lunch, koffie & thee, borrel en publicatie"
    assert participation.includes_en == "lunch, coffee & tea, drinks and the publication"
    assert not participation.needs_approval
    assert (resident.name_nl, resident.price, resident.needs_approval) == (
        "Bewoner van een gemengd woonproject",
        Decimal("0.00"),
        True,
    )
    [hall] = Quota.objects.filter(event=demo_event)
    assert (hall.name, hall.size) == ("Zaal", 200)
    assert set(hall.ticket_types.all()) == {participation, resident}


def test_demo_on_its_real_date_is_published_without_registration(client, demo_event):
    assert demo_event.status == EventStatus.PUBLISHED
    html = client.get(url("public:event.home", demo_event.slug)).content.decode()
    assert url("public:registration.start", demo_event.slug) not in html


def test_demo_upcoming_opens_registration(client, db):
    event, _ = load_demo(upcoming=True, today=dt.date(2026, 11, 24))

    assert event.status == EventStatus.REGISTRATION_OPEN
    html = client.get(url("public:event.home", event.slug)).content.decode()
    assert url("public:registration.start", event.slug) in html
    assert "Participation" in html
    form = client.get(url("public:registration.start", event.slug))
    assert form.status_code == 200
    assert "Resident of a mixed-housing project: free" in form.content.decode()


@pytest.mark.parametrize("upcoming", [False, True])
def test_demo_second_load_changes_nothing(db, upcoming):
    load_demo(upcoming=upcoming, today=dt.date(2026, 11, 24))
    before = _dump()

    _, changed = load_demo(upcoming=upcoming, today=dt.date(2026, 11, 24))

    assert changed == 0
    assert _dump() == before
