"""The contact form: to the secretariat with reply-to the sender, rate-limited, spam trap."""

import pytest

from goedeburen.mail import services
from goedeburen.mail.models import OutgoingMail
from tests.mail.conftest import part

pytestmark = pytest.mark.django_db

FORM = {"name": "Karin Kwast", "email": "karin@example.org", "message": "Is er parkeerplek?"}


def _path(event):
    return f"/{event.slug}/contact/"


def test_contact_page_shows_the_form(client, event):
    html = client.get(_path(event)).content.decode()

    assert 'name="message"' in html and "secretariaat@example.org" in html
    # The spam trap is in the page for robots, hidden from people and assistive technology.
    assert '<div hidden>\n<div class="utrecht-form-field reg-field">' in html
    assert 'name="website"' in html


def test_message_goes_to_the_secretariat_with_reply_to_the_sender(client, event, smtp):
    response = client.post(_path(event), FORM)

    assert (response.status_code, response.url) == (302, _path(event))
    mail = OutgoingMail.objects.get()
    assert (mail.recipient, mail.reply_to, mail.kind) == (
        "secretariaat@example.org",
        "karin@example.org",
        "contact",
    )
    services.deliver(mail)
    [message] = smtp.messages
    assert message["Reply-To"] == "karin@example.org"
    assert message["To"] == "secretariaat@example.org"
    assert "Karin Kwast" in message["Subject"]
    assert "Is er parkeerplek?" in part(message, "text/plain")


def test_a_name_goes_into_the_subject_on_one_line_and_the_message_keeps_its_paragraphs(
    client, event
):
    data = {**FORM, "name": "Karin\r\nKwast\u0007", "message": "Hallo,\r\n\r\nParkeren?\x1b"}

    client.post(_path(event), data)

    mail = OutgoingMail.objects.get()
    assert "Karin Kwast" in mail.subject
    assert "Hallo,\n\nParkeren?" in mail.body_text
    assert "\x1b" not in mail.body_text


def test_filled_spam_trap_is_thanked_and_sends_nothing(client, event):
    response = client.post(_path(event), {**FORM, "website": "http://spam.example"})

    assert response.status_code == 302
    assert OutgoingMail.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "not-an-address"},
        {"message": ""},
        {"name": ""},
        {"name": "\ufeff\u0007\r\n"},
        {"message": "x" * 5001},
    ],
)
def test_bad_input_is_told_and_sends_nothing(client, event, changes, english):
    response = client.post(f"/en{_path(event)}", {**FORM, **changes})

    assert response.status_code == 200
    assert "Please correct 1 error" in response.content.decode()
    assert OutgoingMail.objects.count() == 0


def _nth(n: int) -> dict:
    """The form with a message of its own (the same message again goes once)."""
    return FORM | {"message": f"Vraag {n}: is er parkeerplek?"}


def test_sixth_message_within_the_hour_is_refused(client, event, english):
    for n in range(5):
        assert client.post(f"/en{_path(event)}", _nth(n)).status_code == 302

    response = client.post(f"/en{_path(event)}", _nth(5))

    assert response.status_code == 200
    assert "You have sent several messages already" in response.content.decode()
    assert OutgoingMail.objects.count() == 5


def test_event_without_a_contact_address_shows_no_form(client, event):
    event.contact_email = ""
    event.save()

    html = client.get(_path(event)).content.decode()
    assert 'name="message"' not in html
    assert client.post(_path(event), FORM).status_code == 200
    assert OutgoingMail.objects.count() == 0


def test_limit_counts_per_client_address_behind_the_proxy(client, event, english, settings):
    # Behind the proxy REMOTE_ADDR is the proxy for everyone: the limit must count the
    # address the trusted proxy saw, and in the shared cache that every worker reads.
    settings.TRUSTED_PROXIES = 1

    def send(forwarded_for, n):
        return client.post(f"/en{_path(event)}", _nth(n), HTTP_X_FORWARDED_FOR=forwarded_for)

    answers = [send("10.0.0.1, 203.0.113.7", n) for n in range(6)]
    other = send("203.0.113.7, 198.51.100.1", 6)  # another visitor; the first is made up

    assert [a.status_code for a in answers] == [302] * 5 + [200]
    assert "You have sent several messages already" in answers[-1].content.decode()
    assert other.status_code == 302
    assert OutgoingMail.objects.count() == 6


def test_the_same_message_sent_again_goes_once_and_another_goes_too(client, event):
    for form in (FORM, FORM, _nth(1)):
        assert client.post(_path(event), form).status_code == 302

    assert OutgoingMail.objects.count() == 2
