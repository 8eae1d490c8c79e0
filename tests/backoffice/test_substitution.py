"""The secretariat lets a colleague go instead of an attendee from the registration's page:
the same form as the booker's, the same service (with the organiser as `by`), and bad input
refused with a reason and nothing changed."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, ngettext_lazy

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Role
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import CANCELLED_NO_CHANGE
from goedeburen.registration.models import Answer, Attendee, Registration
from tests.backoffice.conftest import url
from tests.factories import AttendeeFactory, RegistrationFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

COR = {
    "confirm": "yes",
    "given_name": "Cor",
    "family_name": "Collega",
    "email": "cor@example.org",
    "organisation": "Woonstichting De Linde",
}


def _member(world, role=Role.REGISTRATIONS):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    return user


@pytest.fixture
def secretariat(client, world):
    client.force_login(_member(world))
    return client


def _state() -> tuple:
    return (
        list(Registration.objects.order_by("pk").values()),
        list(Attendee.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        LogEntry.objects.count(),
        OutgoingMail.objects.count(),
    )


def test_secretariat_lets_a_colleague_go_instead(secretariat, world):
    attendee = world.attendee
    before = (attendee.full_name, attendee.ticket_secret)
    attendee.function = "Opbouwwerker"
    attendee.dietary_wishes = "Vegetarisch"
    attendee.special_category_consent = True
    attendee.save()
    Answer.objects.create(attendee=attendee, question=world.question, value="Ja")
    staff = secretariat.session["_auth_user_id"]

    page = secretariat.get(url("registration.substitute", world))
    response = secretariat.post(url("registration.substitute", world), COR)

    assert page.status_code == 200
    assert before[0] in page.content.decode()
    assert response.status_code == 302
    assert response.url == url("registration.detail", world)
    now = Attendee.objects.get(pk=attendee.pk)
    assert (now.given_name, now.family_name, now.email, now.organisation) == (
        "Cor",
        "Collega",
        "cor@example.org",
        "Woonstichting De Linde",
    )
    assert now.ticket_secret != before[1]
    assert (now.function, now.dietary_wishes, now.answers.count()) == ("", "", 0)
    entry = LogEntry.objects.get(action="registration.attendee_substituted")
    assert (str(entry.actor_id), entry.data["name"]) == (staff, [before[0], "Cor Collega"])
    mail = OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE)
    assert mail.recipient == "cor@example.org"
    [message] = get_messages(response.wsgi_request)
    assert str(message) == gettext("%(name)s now goes instead of %(before)s.") % {
        "name": "Cor Collega",
        "before": before[0],
    }


@pytest.mark.parametrize(
    ("role", "linked"),
    [(Role.REGISTRATIONS, True), (Role.EDITOR, True), (Role.FINANCE, False)],
)
def test_registration_page_links_to_the_screen_for_who_may_change_it(client, world, role, linked):
    client.force_login(_member(world, role))

    page = client.get(url("registration.detail", world)).content.decode()

    assert (url("registration.substitute", world) in page) is linked


def test_a_cancelled_registrations_page_offers_no_substitution(secretariat, world):
    Registration.objects.filter(pk=world.registration.pk).update(
        status=RegistrationStatus.CANCELLED
    )

    page = secretariat.get(url("registration.detail", world)).content.decode()

    assert url("registration.substitute", world) not in page


REQUIRED = forms.Field.default_error_messages["required"]
NOT_CONFIRMED = "Nothing was changed: confirm with the button on this page."
TOO_LONG = ngettext_lazy(  # Django's own message (MaxLengthValidator)
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"given_name": ""}, ("First name", REQUIRED)),
        ({"given_name": " \t\x07 "}, ("First name", REQUIRED)),
        ({"email": "cor@"}, ("Email address", "Enter a valid email address.")),
        ({"email": "cor@example.org\x00"}, ("Email address", "Null characters are not allowed.")),
        ({"given_name": "C" * 101}, ("First name", TOO_LONG)),
        ({"confirm": ""}, NOT_CONFIRMED),
    ],
    ids=[
        "no-name",
        "only-control-characters",
        "bad-email",
        "nul-byte",
        "too-long",
        "not-confirmed",
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_changes(secretariat, world, data, message):
    before = _state()

    response = secretariat.post(url("registration.substitute", world), {**COR, **data})

    assert response.status_code == 200
    if isinstance(message, tuple):  # a field's: its label, then the reason
        label, reason = message
        reason = reason % {"limit_value": 100, "show_value": 101} if reason is TOO_LONG else reason
        message = f"{gettext(label)}: {gettext(reason)}"
    assert escape(gettext(message)) in response.content.decode()
    assert _state() == before


def test_a_cancelled_registration_is_refused_with_a_reason(secretariat, world):
    Registration.objects.filter(pk=world.registration.pk).update(
        status=RegistrationStatus.CANCELLED
    )
    before = _state()

    response = secretariat.post(url("registration.substitute", world), COR)

    assert response.status_code == 200
    assert str(CANCELLED_NO_CHANGE) in response.content.decode()
    assert _state() == before


def test_an_attendee_of_another_registration_is_not_found(secretariat, world):
    other = AttendeeFactory(
        registration=RegistrationFactory(event=world.event), ticket_type=world.ticket_type
    )
    path = reverse(
        "backoffice:registration.substitute",
        kwargs={"event": world.event.slug, "code": world.registration.code, "attendee": other.pk},
    )
    before = _state()

    assert secretariat.get(path).status_code == 404
    assert secretariat.post(path, COR).status_code == 404
    assert _state() == before
