"""The participant's way through the form and the personal page without traps (issue 17),
as a browser without JavaScript drives it; the browser tests (tests/e2e) do the same on a
phone."""

import re

import pytest
from django.test import Client

from goedeburen.matching import services as matching_services
from goedeburen.registration import services
from goedeburen.registration.enums import CancelReason, RegistrationStatus
from goedeburen.registration.models import Quota, Registration
from tests.factories import RoundFactory, SessionFactory

from .helpers import form_data, form_token, manage_link, url

pytestmark = pytest.mark.django_db

START = "public:registration.start"


def _post(client, event, data, *, language="en"):
    return client.post(url(START, event.slug, language=language), data)


def test_back_and_send_again_from_this_browser_is_the_same_registration(client, event, hall, free):
    first = _post(client, event, form_data(client, event, [free]))
    # Back: the form again, with a new form token; the same people sent once more.
    second = _post(client, event, form_data(client, event, [free]))

    assert Registration.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"] + "?again=1"
    page = client.get(second["Location"]).content.decode()
    assert "You had already registered these people" in page
    assert "/register/manage/" in page


def test_other_people_from_the_same_browser_are_a_new_registration(client, event, hall, free):
    _post(client, event, form_data(client, event, [free]))
    other = form_data(client, event, [free], **{"attendee-0-given_name": "Karim"})

    _post(client, event, other)

    assert Registration.objects.count() == 2


def test_the_same_people_after_a_cancellation_may_register_again(client, event, hall, free):
    _post(client, event, form_data(client, event, [free]))
    services.cancel_registration(Registration.objects.get(), by=None, reason="test")

    response = _post(client, event, form_data(client, event, [free]))

    assert Registration.objects.count() == 2
    assert "again=1" not in response["Location"]


def test_a_form_sent_twice_from_another_browser_shows_no_link_but_the_way_to_it(
    client, event, hall, free
):
    data = form_data(client, event, [free])
    _post(client, event, data)

    html = _post(Client(), event, data).content.decode()

    assert "/register/manage/" not in html
    assert url("public:registration.link", event.slug) in html


def test_the_language_switch_keeps_what_was_typed(client, event, hall, free):
    token = form_token(client, event, language="nl")
    data = {
        "form_token": token,
        "attendee_count": "1",
        "action": "language",
        "booker-name": "Bea Boeker",
        "booker-email": "bea@example.org",
        "attendee-0-given_name": "Fatima",
        "attendee-0-ticket_type": str(free.pk),
    }

    html = _post(client, event, data, language="en").content.decode()

    assert 'lang="en"' in html
    assert 'value="Bea Boeker"' in html
    assert 'value="Fatima"' in html
    assert f'name="form_token" value="{token}"' in html
    assert "error" not in html.lower().split("<main", 1)[1].split("reg-form", 1)[0]
    assert Registration.objects.count() == 0


def test_the_form_offers_the_language_switch_as_a_button_that_sends_it(client, event, hall):
    html = client.get(url(START, event.slug, language="nl")).content.decode()

    button = re.search(r'<button[^>]*value="language"[^>]*>', html).group(0)
    assert 'form="registration-form"' in button
    assert f'formaction="{url(START, event.slug, language="en")}"' in button


def test_sold_out_shows_in_the_form_before_it_is_filled_in(client, event, hall, paid, free):
    Quota.objects.filter(pk=hall.pk).update(taken=hall.size)

    html = client.get(url(START, event.slug)).content.decode()

    assert "Sold out." in html
    assert "— sold out, waiting list" in html
    actions = html.split('class="utrecht-paragraph reg-actions"')[1].split("</p>")[0]
    assert re.search(r'value="waiting_list" class="utrecht-button utrecht-button--primary', actions)
    assert 'value="register"' not in actions


def test_few_places_left_shows_in_the_form_and_on_the_event_page(client, event, hall, paid):
    Quota.objects.filter(pk=hall.pk).update(size=100, taken=95)

    form = client.get(url(START, event.slug)).content.decode()
    home = client.get(url("public:event.home", event.slug)).content.decode()

    assert "— only a few places left" in form
    assert "Only a few places left" in home


def test_the_event_page_turns_to_sold_out_at_once(client, event, hall, paid):
    before = client.get(url("public:event.home", event.slug)).content.decode()
    Quota.objects.filter(pk=hall.pk).update(taken=hall.size)
    after = client.get(url("public:event.home", event.slug)).content.decode()

    assert "Sold out" not in before
    assert "Sold out" in after  # the cached page is one per state of the seat counters
    assert "Join the waiting list" in after


def test_error_summary_names_the_attendee(client, event, hall, free):
    data = form_data(client, event, [free, free], **{"attendee-1-given_name": ""})

    html = _post(client, event, data, language="nl").content.decode()

    summary = html.split("reg-error-summary")[1].split("</div>")[0]
    assert "Deelnemer 2: Voornaam" in summary


def test_a_lapsed_registration_says_why_and_offers_to_register_again(
    client, register, event, hall, paid
):
    registration = register(paid)
    services.cancel_registration(
        registration, by=None, reason="hold", cause=CancelReason.HOLD_EXPIRED
    )
    path = url(
        "public:registration.manage", event.slug, registration.code, registration.manage_token
    )

    html = client.get(path).content.decode()

    assert "not paid in time" in html
    assert url(START, event.slug) in html
    assert "calendar.ics" not in html  # only what still applies
    assert 'name="opted_out"' not in html


def test_a_payer_by_bank_transfer_may_rank_and_sees_the_ranking(client, event, hall, paid):
    round_ = RoundFactory(event=event)
    first, second = SessionFactory(round=round_), SessionFactory(round=round_)
    data = form_data(client, event, [paid])
    done = client.get(_post(client, event, data)["Location"]).content.decode()
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    attendee = registration.attendees.get()

    matching_services.save_rankings(attendee, rankings={round_.pk: [second.pk, first.pk]})
    manage = client.get(manage_link(done)).content.decode()

    assert "You can choose now, while your payment is on its way." in manage
    shown = manage.split('class="utrecht-unordered-list reg-rankings"')[1].split("</ul>")[0]
    assert f"1. {second.title_nl}" in shown and f"2. {first.title_nl}" in shown


def test_the_credit_note_amount_reads_as_money_back():
    from decimal import Decimal

    from django.utils import translation

    from goedeburen.common.templatetags.goedeburen import signed_euro

    with translation.override("nl"):
        assert signed_euro(Decimal("-250.00")) == "€ 250,00 terug"
        assert signed_euro(Decimal("12.50")) == "€ 12,50"


def test_the_ranking_describes_the_sessions_and_flags_a_repeated_topic(client, event, hall, free):
    from tests.factories import SpeakerFactory

    first, second = (
        RoundFactory(event=event, title_nl="Ronde 1"),
        RoundFactory(event=event, title_nl="Ronde 2"),
    )
    host = SpeakerFactory(event=event, name="Aly Gruppen")
    living_room = SessionFactory(round=first, title_nl="Huiskamer De Linde")
    living_room.hosts.add(host)
    SessionFactory(round=second, title_nl="Huiskamer De Linde")
    SessionFactory(round=second, title_nl="Werksessie Geld")
    done = client.get(_post(client, event, form_data(client, event, [free]))["Location"])
    sessions = manage_link(done.content.decode()) + "sessions/"

    html = client.get(sessions, HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "About these sessions" in html
    assert "Hosted by Aly Gruppen" in html
    assert html.count("You get this topic once") == 2  # in both rounds, not for the other
