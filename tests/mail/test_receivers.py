"""Each registration signal queues the right mail to the booker, in the booker's language."""

import datetime as dt

import pytest

from goedeburen.common import secret_text
from goedeburen.mail import services
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.mail.rendering import unpack_context
from goedeburen.mail.services import outbox
from goedeburen.registration import signals
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

pytestmark = pytest.mark.django_db

EXPIRES = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)

SIGNALS = {
    MailKind.MANAGE_LINK: (signals.manage_link_renewed, {"manage_token": "n3w-t0ken"}),
    MailKind.APPROVED: (signals.registration_approved, {"message": "Tot dan!"}),
    MailKind.REJECTED: (signals.registration_rejected, {"message": "Helaas vol."}),
    MailKind.CANCELLATION: (signals.registration_cancelled, {"reason": "", "by": None}),
    MailKind.WAITING_LIST_OFFER: (
        signals.waiting_list_offer_made,
        {"offer_url_token": "0ffer", "expires": EXPIRES},
    ),
}


def _send(kind, registration):
    signal, kwargs = SIGNALS[kind]
    signal.send(sender=Registration, registration=registration, **kwargs)
    return _rendered(OutgoingMail.objects.filter(kind=kind).get())


def _rendered(mail):
    """Render `mail` as the worker does before its first attempt, and return it as it is
    sent: the stored text with the sealed secrets of its links put back."""
    services.render_queued(mail)
    mail.refresh_from_db()
    secrets = outbox.secrets_of(mail)
    mail.body_text = secret_text.reveal(mail.body_text, secrets)
    mail.body_html = secret_text.reveal(mail.body_html, secrets)
    return mail


def test_registration_created_queues_one_confirmation_in_the_same_transaction(register):
    registration = register()

    mail = _rendered(OutgoingMail.objects.get())
    assert (mail.kind, mail.state, mail.attempts) == (MailKind.CONFIRMATION, MailState.QUEUED, 0)
    assert (mail.event, mail.registration) == (registration.event, registration)
    assert (mail.recipient, mail.language) == ("bea@example.org", "nl")
    assert f"/manage/{registration.code}/{registration.manage_token}/" in mail.body_text
    assert mail.message_id.startswith("<") and mail.message_id.endswith("@localhost>")


def test_resubmitted_form_queues_no_second_confirmation(event, ticket):
    from goedeburen.registration import services
    from tests.factories import attendee, billing, booker, form_token

    token = form_token(event)
    values = {"booker": booker(), "attendees": [attendee(ticket)], "billing": billing()}
    first = services.register(event, form_token=token, language="nl", **values)
    again = services.register(event, form_token=token, language="nl", **values)

    assert first == again
    assert OutgoingMail.objects.count() == 1


@pytest.mark.parametrize("kind", sorted(SIGNALS))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_signal_queues_its_mail_in_the_registrations_language(register, kind, language):
    registration = register(language=language)

    mail = _send(kind, registration)

    assert (mail.recipient, mail.language, mail.registration) == (
        "bea@example.org",
        language,
        registration,
    )
    assert registration.code in mail.body_text or kind == MailKind.WAITING_LIST_OFFER
    assert mail.body_html.startswith(f'<!DOCTYPE html>\n<html lang="{language}">')
    assert "{{" not in mail.body_text + mail.body_html


@pytest.mark.parametrize("kind", [MailKind.APPROVED, MailKind.REJECTED])
def test_decision_mail_shows_the_organisers_message_escaped(register, kind):
    registration = register()
    signal, _ = SIGNALS[kind]

    signal.send(sender=Registration, registration=registration, message="<b>Welkom</b>\nTot dan")

    mail = _rendered(OutgoingMail.objects.get(kind=kind))
    assert "<b>Welkom</b>\nTot dan" in mail.body_text
    assert "&lt;b&gt;Welkom&lt;/b&gt;<br>Tot dan" in mail.body_html


def test_manage_link_mail_carries_the_new_link(register):
    registration = register(language="en")

    mail = _send(MailKind.MANAGE_LINK, registration)

    path = f"/en/{registration.event.slug}/register/manage/{registration.code}/n3w-t0ken/"
    assert f"http://127.0.0.1:8000{path}" in mail.body_text


def test_cancellation_after_the_hold_ran_out_says_why(register):
    registration = register(language="en")

    signals.registration_cancelled.send(
        sender=Registration, registration=registration, reason="hold_expired", by=None
    )

    mail = _rendered(OutgoingMail.objects.get(kind=MailKind.CANCELLATION))
    assert "not paid or approved within the time" in mail.body_text


def test_waiting_list_offer_says_until_when_in_amsterdam_time(register):
    registration = register(language="en")

    mail = _send(MailKind.WAITING_LIST_OFFER, registration)

    assert "until Monday 1 March 2027, 13:00" in mail.body_text
    assert "http://127.0.0.1:8000/en/" in mail.body_text


def test_site_url_setting_makes_the_links(register, settings):
    settings.SITE_URL = "https://goedeburen.example.org"

    registration = register()

    mail = _rendered(OutgoingMail.objects.get())
    assert (
        f"https://goedeburen.example.org/{registration.event.slug}/register/manage/"
        in mail.body_text
    )


def test_request_queues_the_mail_unrendered_and_the_worker_renders_it_once(register):
    registration = register()

    mail = OutgoingMail.objects.get()
    # The request wrote only what the worker needs: no template was rendered in it.
    assert (mail.subject, mail.body_text, mail.rendered_at) == ("", "", None)
    # The manage token only sealed: unreadable in the row, opened when the worker renders.
    assert list(mail.context) == ["manage_token"]
    assert registration.manage_token not in str(mail.context)
    assert unpack_context(mail.context) == {"manage_token": registration.manage_token}
    first = _rendered(mail)
    text = first.body_text
    assert (first.context, registration.code in first.subject) == ({}, True)
    # A second render (a retry) keeps the stored text, word for word.
    assert _rendered(first).body_text == text


def test_mail_that_cannot_be_rendered_leaves_the_registration_alone(smtp, register, settings):
    # A template that cannot load breaks every mail; the registration must still be made,
    # and the mail waits in the outbox, failed, for a retry once the template is back.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "APP_DIRS": False, "DIRS": []}]

    registration = register()
    delivered = services.deliver(OutgoingMail.objects.get())

    assert Registration.objects.get().status == registration.status
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    mail = OutgoingMail.objects.get()
    assert (delivered, mail.state, mail.rendered_at) == (False, MailState.FAILED, None)
    assert mail.last_error.startswith("TemplateDoesNotExist")
    assert smtp.messages == []


def test_outbox_keeps_link_secrets_sealed_until_sent_then_drops_them(smtp, register):
    registration = register()
    mail = OutgoingMail.objects.get()
    token = registration.manage_token

    rendered = _rendered(mail)
    stored = OutgoingMail.objects.get()
    # Rendered: the text holds a marker where the link's secret goes; the secret is sealed.
    assert token in rendered.body_text and token in rendered.body_html
    assert token not in stored.body_text + stored.body_html + stored.secrets
    assert "[[secret:" in stored.body_text
    assert outbox.secrets_of(stored)[0] == token

    assert services.deliver(stored) is True
    sent = OutgoingMail.objects.get()
    (message,) = smtp.messages
    # The mail went out with the real link, and the outbox no longer holds the secret.
    assert f"/manage/{registration.code}/{token}/" in message.get_body(("plain",)).get_content()
    assert (sent.state, sent.secrets, outbox.secrets_of(sent)) == (MailState.SENT, "", [])
    assert token not in sent.body_text + sent.body_html


def test_a_retry_sends_the_same_text_and_message_id_with_the_secret(smtp, register):
    registration = register()
    mail = OutgoingMail.objects.get()
    smtp.stop()
    assert services.deliver(mail) is False  # refused: rendered, and the secret kept sealed
    smtp.start()
    failed = OutgoingMail.objects.get()
    assert failed.state == MailState.FAILED and failed.secrets
    assert services.deliver(failed, now=failed.next_attempt_at) is True

    (message,) = smtp.messages
    assert message["Message-ID"] == failed.message_id
    assert registration.manage_token in message.get_body(("plain",)).get_content()
    assert OutgoingMail.objects.get().secrets == ""
