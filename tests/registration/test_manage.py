import pytest
from django.test import Client

from goedeburen.registration import tokens
from tests.factories import OpenEventFactory, QuotaFactory, TicketTypeFactory

from .helpers import form_data, url

pytestmark = pytest.mark.django_db

MANAGE = "public:registration.manage"


@pytest.fixture
def registration(hall, free, register):
    return register(free)


def _not_found(response) -> tuple[int, bytes]:
    return response.status_code, response.content


def test_manage_link_shows_the_registration(client, event, registration):
    response = client.get(url(MANAGE, event.slug, registration.code, registration.manage_token))

    assert response.status_code == 200
    html = response.content.decode()
    assert registration.code in html
    assert "Ada de Vries" in html
    assert "no-store" in response["Cache-Control"]


def test_manage_link_accepts_the_code_in_lower_case(client, event, registration):
    path = url(MANAGE, event.slug, registration.code.lower(), registration.manage_token)
    assert client.get(path).status_code == 200


def test_wrong_token_unknown_code_and_no_token_give_the_same_404(
    client, event, registration, register, free
):
    other = register(free)
    unknown_code = next(c for c in ("ABCDEFGH", "HGFEDCBA") if c != registration.code)
    token = registration.manage_token
    answers = [
        client.get(url(MANAGE, event.slug, registration.code, tokens.new_manage_token()[0])),
        client.get(url(MANAGE, event.slug, registration.code, token[:-1])),
        client.get(url(MANAGE, event.slug, registration.code, other.manage_token)),
        client.get(url(MANAGE, event.slug, unknown_code, token)),
        client.get(url("public:registration.start", event.slug) + f"manage/{registration.code}/"),
        client.get(url("public:registration.done", event.slug, registration.code)),
    ]

    assert [_not_found(a) for a in answers] == [_not_found(answers[0])] * len(answers)
    assert answers[0].status_code == 404
    assert registration.code not in answers[0].content.decode()


def test_manage_link_of_one_event_does_not_open_under_another(client, registration):
    other = OpenEventFactory()
    QuotaFactory(event=other, ticket_types=[TicketTypeFactory(event=other)])

    path = url(MANAGE, other.slug, registration.code, registration.manage_token)

    assert client.get(path).status_code == 404


def test_confirmation_page_opens_only_in_the_browser_that_registered(client, event, hall, free):
    data = form_data(client, event, [free])

    done = client.post(url("public:registration.start", event.slug), data)

    assert client.get(done["Location"]).status_code == 200
    assert Client().get(done["Location"]).status_code == 404
