"""Cancel one attendee of several: the seat is freed, the ticket gone, the booker told; the
last attendee goes only with the whole registration. The same service for the booker's
page and the back office."""

import re

import pytest
from django.urls import reverse

from goedeburen.checkin import decisions, tickets
from goedeburen.checkin.enums import Refusal
from goedeburen.checkin.models import Ticket
from goedeburen.common.audit import history
from goedeburen.events.models import Role
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, Quota, Registration
from tests.factories import TeamMemberFactory, UserFactory
from tests.registration.helpers import url

pytestmark = pytest.mark.django_db


def _taken(hall) -> int:
    return Quota.objects.get(pk=hall.pk).taken


def _second(registration) -> Attendee:
    return registration.attendees.order_by("order")[1]


def test_cancelling_one_attendee_frees_the_seat_and_the_rest_stays(hall, free, register, sent):
    registration = register(free, free)
    gone = _second(registration)
    secret = tickets.secret_for(gone)
    assert Ticket.objects.filter(attendee=gone).exists()
    sent.reset()

    result = services.cancel_attendee(gone, by=None, reason="booker")

    assert (result.name, result.free) == ("Ada de Vries", True)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert [a.given_name for a in registration.attendees.all()] == ["Ada"]
    assert _taken(hall) == 1
    # The ticket is gone with the attendee: its code admits nobody.
    found = Ticket.objects.filter(secret_hash=tickets.hash_secret(secret)).first()
    assert decisions.refusal_for_ticket(found, None) == Refusal.UNKNOWN
    assert [name for name in sent.names()] == ["attendee_cancelled"]
    [entry] = [e for e in history(registration) if e.action == "registration.attendee_cancelled"]
    assert entry.data["name"] == "Ada de Vries" and entry.data["free"] is True


def test_the_booker_gets_a_mail_naming_who_no_longer_comes(hall, free, register):
    registration = register(free, free)
    OutgoingMail.objects.all().delete()

    services.cancel_attendee(_second(registration), by=None, reason="booker")

    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.recipient) == (MailKind.ATTENDEE_CANCELLED, registration.email)
    assert mail.context["attendee_name"] == "Ada de Vries"


def test_the_last_attendee_cannot_be_cancelled_alone(hall, free, register):
    registration = register(free)

    with pytest.raises(RegistrationError) as refused:
        services.cancel_attendee(registration.attendees.get(), by=None)

    assert refused.value.code == "last_attendee"
    assert registration.attendees.count() == 1
    assert _taken(hall) == 1


def test_an_attendee_of_a_cancelled_registration_stays_as_it_was(hall, free, register):
    registration = register(free, free)
    services.cancel_registration(registration, by=None, reason="booker")

    with pytest.raises(RegistrationError) as refused:
        services.cancel_attendee(_second(registration), by=None)

    assert refused.value.code == "wrong_state"
    assert registration.attendees.count() == 2
    assert _taken(hall) == 0


def test_the_freed_seat_is_offered_to_the_waiting_list(hall, free, register, join):
    registration = register(free, free, free)
    waiting = join(free)

    services.cancel_attendee(_second(registration), by=None)

    waiting.refresh_from_db()
    assert waiting.offer_until is not None
    assert _taken(hall) == 3  # two stay, one held by the offer


# ---- the booker's page ---------------------------------------------------------------


def _page(registration, *extra, name="public:registration.manage", language="nl"):
    return url(
        name,
        registration.event.slug,
        registration.code,
        registration.manage_token,
        *extra,
        language=language,
    )


def test_the_personal_page_offers_to_cancel_each_of_several(client, hall, free, register):
    two = register(free, free)
    one = register(free)

    several = client.get(_page(two)).content.decode()
    single = client.get(_page(one)).content.decode()

    assert several.count("/cancel/") == 3  # each attendee, and the whole registration
    assert "De hele aanmelding annuleren" in several
    assert "Alleen Ada de Vries afmelden" in several
    assert single.count("/cancel/") == 1


def test_the_confirmation_says_what_follows_and_the_button_cancels(
    client, hall, paid, register, english
):
    registration = register(paid, paid)
    second = _second(registration)
    path = _page(registration, second.pk, name="public:registration.cancel_attendee", language="en")

    html = client.get(path).content.decode()
    response = client.post(path)

    text = re.sub(r"\s+", " ", html)
    assert "The place of Ada de Vries goes to someone else." in text
    assert "The ticket of Ada de Vries no longer works." in text
    assert "You pay € 125,00 less. The new total is € 125,00." in text
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Ada de Vries is cancelled. We sent you an email about it." in page
    assert registration.attendees.count() == 1


def test_the_last_attendee_page_points_to_cancelling_the_registration(client, hall, free, register):
    registration = register(free)
    only = registration.attendees.get()
    path = _page(registration, only.pk, name="public:registration.cancel_attendee")

    html = client.get(path).content.decode()
    refused = client.post(path).content.decode()

    assert "Dit is de laatste deelnemer." in html
    assert 'method="post"' not in html
    assert "Dit is de laatste deelnemer." in refused
    assert registration.attendees.count() == 1


def test_an_attendee_of_another_registration_is_not_found(client, hall, free, register):
    mine = register(free, free)
    other = register(free)

    path = _page(mine, other.attendees.get().pk, name="public:registration.cancel_attendee")

    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert Registration.objects.get(pk=other.pk).attendees.count() == 1


# ---- the back office -----------------------------------------------------------------


@pytest.fixture
def owner_client(client, event):
    user = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=user, role=Role.OWNER)
    client.force_login(user)
    return client


def test_the_organiser_cancels_one_attendee_with_a_message(owner_client, hall, free, register):
    registration = register(free, free)
    second = _second(registration)
    detail = reverse(
        "backoffice:registration.detail", args=[registration.event.slug, registration.code]
    )
    action = reverse(
        "backoffice:registration.cancel_attendee",
        args=[registration.event.slug, registration.code, second.pk],
    )
    assert action in owner_client.get(detail).content.decode()
    OutgoingMail.objects.all().delete()

    confirm = owner_client.get(action)
    response = owner_client.post(action, {"confirm": "yes", "reason": "Ziek gemeld"})

    assert confirm.status_code == 200
    assert (response.status_code, response.url) == (302, detail)
    assert registration.attendees.count() == 1
    assert _taken(hall) == 1
    mail = OutgoingMail.objects.get()
    assert (mail.context["reason"], mail.context["by_organiser"]) == ("Ziek gemeld", True)
    # One left: that attendee cannot go on their own.
    remaining = registration.attendees.get()
    last = reverse(
        "backoffice:registration.cancel_attendee",
        args=[registration.event.slug, registration.code, remaining.pk],
    )
    assert last not in owner_client.get(detail).content.decode()
