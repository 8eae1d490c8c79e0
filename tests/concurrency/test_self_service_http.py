"""The same form sent many times at once through gunicorn's sync workers (production's
shape): a booker's choice of sessions, an invitation's new account, two tabs of the edit
form. Each request takes its own database connection in its own process; afterwards the
database holds what one of them would have stored, and no worker logged a server error
(the `gunicorn` fixture fails the test on a traceback)."""

import re
from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from goedeburen.common.audit import history
from goedeburen.events import teams
from goedeburen.events.models import Role, TeamMember
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.matching.models import Ranking
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration
from tests.concurrency.test_registration_http import _request, gunicorn  # noqa: F401
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    RoundFactory,
    SessionFactory,
    TicketTypeFactory,
    UserFactory,
    attendee,
    booker,
    form_token,
)
from tests.registration.conftest import sent  # noqa: F401
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20
CSRF = "c" * 32  # a CSRF secret of the client's own, sent as cookie and as field


def _post_at_once(port: int, posts: list[tuple[str, dict]]) -> list[tuple[int, str]]:
    """POST each (path, fields) from its own thread, released together; return each
    answer's status and text (an exception in its place for a connection that failed)."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
    }

    def client(n: int) -> tuple[int, str]:
        path, fields = posts[n]
        body = urlencode({"csrfmiddlewaretoken": CSRF, **fields})
        status, _headers, text = _request(port, "POST", path, body=body, headers=headers)
        return status, text

    return all_at_once(len(posts), client)


def _url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def _registration(event, ticket, *, attendees: int = 1) -> tuple[Registration, str]:
    registration = services.register(
        event,
        booker=booker(),
        attendees=[attendee(ticket, given_name=f"Ada{n}") for n in range(attendees)],
        form_token=form_token(event),
        language="en",
    )
    token = services.renew_manage_link(registration)
    return Registration.objects.get(pk=registration.pk), token


@pytest.fixture
def free_event():
    event = OpenEventFactory()
    ticket = TicketTypeFactory(event=event, price=Decimal("0"))
    QuotaFactory(event=event, size=10, ticket_types=[ticket])
    return event, ticket


def test_the_same_choice_of_sessions_sent_20_times_at_once_is_stored_once(
    gunicorn,  # noqa: F811
    free_event,
):
    event, ticket = free_event
    round_ = RoundFactory(event=event)
    first, second = SessionFactory(round=round_), SessionFactory(round=round_)
    registration, token = _registration(event, ticket)
    person = registration.attendees.get()
    server = gunicorn(sync=True)
    path = _url(
        "public:registration.sessions", event=event.slug, code=registration.code, token=token
    )
    fields = {
        f"attendee-{person.pk}-r{round_.pk}-1": str(first.pk),
        f"attendee-{person.pk}-r{round_.pk}-2": str(second.pk),
    }

    answers = _post_at_once(server.port, [(path, fields)] * CLIENTS)

    assert Counter(status for status, _ in answers) == Counter({302: CLIENTS})
    assert list(Ranking.objects.order_by("rank").values_list("session_id", "rank")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]


def test_an_invitations_new_account_sent_20_times_at_once_is_made_once(
    gunicorn,  # noqa: F811
    free_event,
):
    event, _ticket = free_event
    owner = UserFactory()
    TeamMember.objects.create(organiser=event.organiser, user=owner, role=Role.OWNER)
    invitation = teams.invite(
        event.organiser,
        email="nieuw@example.org",
        role=Role.EDITOR,
        event=event,
        by=owner,
        language="en",
    )
    server = gunicorn(sync=True)
    path = _url("backoffice:invitation", token=teams.invitation_token(invitation))
    password = "Zeer-geheim-42x!"
    fields = {"username": "nieuw", "password1": password, "password2": password}

    answers = _post_at_once(server.port, [(path, fields)] * CLIENTS)

    # One makes the account; the others are told the invitation was used, or (once the
    # account exists) sent to sign in.
    assert set(Counter(status for status, _ in answers)) <= {200, 302}
    assert get_user_model().objects.filter(username="nieuw").count() == 1
    assert TeamMember.objects.filter(user__username="nieuw", role=Role.EDITOR).count() == 1


def test_two_tabs_of_the_edit_form_sent_at_once_never_undo_each_other(
    gunicorn,  # noqa: F811
    free_event,
):
    event, ticket = free_event
    registration, token = _registration(event, ticket, attendees=2)
    one, two = registration.attendees.order_by("pk")
    server = gunicorn(sync=True)
    path = _url("public:registration.edit", event=event.slug, code=registration.code, token=token)
    _status, _headers, page = _request(server.port, "GET", path)
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    shown = {
        "booker-name": registration.booker_name,
        "booker-email": registration.email,
        "seen": seen,
    }
    for person in (one, two):
        shown |= {
            f"attendee-{person.pk}-given_name": person.given_name,
            f"attendee-{person.pk}-role": person.role,
            f"attendee-{person.pk}-badge_name": "full",
        }
    tabs = [
        (path, {**shown, f"attendee-{person.pk}-badge_name": "first_name"}) for person in (one, two)
    ]

    answers = _post_at_once(server.port, tabs)

    assert sorted(status for status, _ in answers) == [200, 302]
    [(_, refused)] = [(s, text) for s, text in answers if s == 200]
    assert "Your changes were not saved: this registration was changed in the meantime" in refused
    badges = Attendee.objects.filter(registration=registration).order_by("pk")
    assert sorted(badges.values_list("badge_name", flat=True)) == ["first_name", "full"]


def test_a_waiting_list_offer_accepted_20_times_at_once_is_taken_once(
    gunicorn,  # noqa: F811
    sent,  # noqa: F811
):
    event = OpenEventFactory()
    free = TicketTypeFactory(event=event, price=Decimal("0"))
    QuotaFactory(event=event, size=1, ticket_types=[free])
    taken, _token = _registration(event, free)
    waiting = services.join_waiting_list(
        event,
        booker=booker(email="wachtend@example.org"),
        attendees=[attendee(free, given_name="Wim")],
        form_token=form_token(event),
        language="en",
    )
    services.cancel_registration(taken, by=None, reason="booker")
    [offer] = sent.of("waiting_list_offer_made")
    server = gunicorn(sync=True)
    path = _url(
        "public:registration.offer",
        event=event.slug,
        code=waiting.code,
        token=offer["offer_url_token"],
    )

    answers = _post_at_once(server.port, [(path, {})] * CLIENTS)

    # Every click is told the place is theirs: none that it is gone, as the one that lost
    # the race was before.
    assert Counter(status for status, _ in answers) == Counter({200: CLIENTS})
    assert all("You have taken the place." in text for _, text in answers)
    assert not any("no longer available" in text for _, text in answers)
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert history(waiting).filter(action="registration.offer_accepted").count() == 1
    assert (
        OutgoingMail.objects.filter(registration=waiting, kind=MailKind.CONFIRMATION).count() == 1
    )
