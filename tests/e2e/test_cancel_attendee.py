"""Cancel one attendee of two on the personal page, on a phone (360 px), in Dutch and
English: the page says what follows, one click cancels, the page after shows only who
still comes. axe-core checks both pages."""

import pytest

from goedeburen.events.demo import SLUG

from .test_participant_way import _accessible, _path, phone  # noqa: F401
from .test_registration_flow import registration_open  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("registration_open")]


@pytest.fixture(scope="module")
def two_attendees(registration_open, django_db_blocker):  # noqa: F811
    """Per language a confirmed registration of Ada and Cor with a known link, committed
    for the live server before any test's transaction."""
    from goedeburen.events.models import Event
    from goedeburen.registration import tokens
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory

    made = {}
    with django_db_blocker.unblock():
        event = Event.objects.get(slug=SLUG)
        ticket = TicketType.objects.filter(event=event, price__gt=0).first()
        for language in ("nl", "en"):
            token, hashed = tokens.new_manage_token()
            registration = RegistrationFactory(
                event=event, manage_token_hash=hashed, language=language
            )
            AttendeeFactory(registration=registration, ticket_type=ticket, order=0)
            cor = AttendeeFactory(
                registration=registration, ticket_type=ticket, given_name="Cor", order=1
            )
            made[language] = (registration, token, cor)
    yield made
    from goedeburen.payments.models import Settlement

    with django_db_blocker.unblock():
        for registration, _token, _cor in made.values():
            # The free cancellation left a settlement (nothing was invoiced or paid).
            Settlement.objects.filter(registration=registration).delete()
            registration.delete()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_one_attendee_of_two_is_cancelled_on_a_phone(two_attendees, phone, language):  # noqa: F811
    registration, token, cor = two_attendees[language]
    dutch = language == "nl"
    tab = phone()
    tab.goto(_path(language, f"register/manage/{registration.code}/{token}/"))

    tab.get_by_role(
        "link", name="Alleen Cor de Vries afmelden" if dutch else "Cancel only Cor de Vries"
    ).click()

    assert tab.url.endswith(f"/attendees/{cor.pk}/cancel/")
    text = tab.locator("main").inner_text()
    assert ("werkt niet meer" if dutch else "no longer works") in text
    _accessible(tab, "cancel one attendee")

    tab.get_by_role(
        "button", name="Ja, meld Cor de Vries af" if dutch else "Yes, cancel Cor de Vries"
    ).click()

    assert tab.url.endswith(f"/manage/{registration.code}/{token}/")
    page = tab.locator("main").inner_text()
    assert ("Cor de Vries is afgemeld." if dutch else "Cor de Vries is cancelled.") in page
    assert tab.locator("h3", has_text="Cor de Vries").count() == 0
    assert tab.locator("h3", has_text="Ada de Vries").count() >= 1
    _accessible(tab, "personal page after cancelling one attendee")
