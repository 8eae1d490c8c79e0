"""The publication: uploaded as a PDF, then after the event a link for each participant whose
ticket includes it, through their page and the thank-you mail; never an attachment."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from goedeburen.mail import placeholders, queries, services
from goedeburen.mail.enums import MailKind
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import MailSettings, OutgoingMail
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import AttendeeFactory, RegistrationFactory, TicketTypeFactory
from tests.mail.conftest import part

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AFTER = dt.datetime(2027, 3, 6, 12, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2027, 3, 5, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def published(event, ticket):
    services.upload_publication(event, upload=SimpleUploadedFile("boek.pdf", PDF))
    settings = MailSettings.objects.get(event=event)
    settings.publication_ticket_types.set([ticket])
    return settings


def _registration(event, ticket_type, *, status=RegistrationStatus.CONFIRMED):
    registration = RegistrationFactory(event=event, status=status)
    AttendeeFactory(registration=registration, ticket_type=ticket_type)
    return registration


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("boek.pdf", b"<html>not a pdf</html>", "not_a_pdf"),
        ("boek.exe", b"MZ\x90\x00", "not_a_pdf"),
    ],
)
def test_upload_that_is_not_a_pdf_is_refused_and_nothing_stored(event, name, content, code):
    with pytest.raises(MailError) as refused:
        services.upload_publication(event, upload=SimpleUploadedFile(name, content))

    assert refused.value.code == code
    assert not MailSettings.objects.filter(event=event).exists()


def test_upload_over_the_size_limit_is_refused(event, monkeypatch):
    from goedeburen.mail.services import participants

    monkeypatch.setattr(participants, "PUBLICATION_MAX_BYTES", len(PDF) - 1)

    with pytest.raises(MailError) as refused:
        services.upload_publication(event, upload=SimpleUploadedFile("b.pdf", PDF))

    assert refused.value.code == "too_large"


def test_new_upload_replaces_the_old_file(event, published):
    old = published.publication.name

    services.upload_publication(event, upload=SimpleUploadedFile("b.pdf", PDF + b"v2"))

    published.refresh_from_db()
    with published.publication.open("rb") as stored:
        assert stored.read() == PDF + b"v2"
    assert published.publication.name != old
    assert not published.publication.storage.exists(old)


def test_only_confirmed_participants_with_the_ticket_get_it_and_only_after_the_event(
    event, ticket, published
):
    other = TicketTypeFactory(event=event)
    included = _registration(event, ticket)
    not_included = _registration(event, other)
    cancelled = _registration(event, ticket, status=RegistrationStatus.CANCELLED)

    assert queries.gets_publication(included, now=AFTER) is True
    assert queries.gets_publication(included, now=BEFORE) is False
    assert queries.gets_publication(not_included, now=AFTER) is False
    assert queries.gets_publication(cancelled, now=AFTER) is False


def test_participant_downloads_the_publication_through_their_link(
    client, event, ticket, published, settings
):
    event.date = dt.date(2020, 1, 10)  # over
    event.save()
    registration = _registration(event, ticket)
    token = placeholders.participant_token(registration)

    response = client.get(f"/{event.slug}/participant/{token}/publication.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_publication_before_the_event_or_without_the_ticket_is_not_found(
    client, event, ticket, published
):
    other = _registration(event, TicketTypeFactory(event=event))
    for registration in (_registration(event, ticket), other):
        token = placeholders.participant_token(registration)
        assert client.get(f"/{event.slug}/participant/{token}/publication.pdf").status_code == 404


def test_thank_you_mail_links_the_publication_and_does_not_attach_it(
    smtp, event, ticket, published
):
    event.date = dt.date(2020, 1, 10)
    event.save()
    settings = published
    settings.evaluation_url = "https://survey.example.org/goede-buren"
    settings.save()
    registration = _registration(event, ticket)
    services.queue_registration_mail(registration, kind=MailKind.THANK_YOU)

    services.deliver(OutgoingMail.objects.get())

    [message] = smtp.messages
    text = part(message, "text/plain")
    token = placeholders.participant_token(registration)
    assert f"http://127.0.0.1:8000/{event.slug}/participant/{token}/publication.pdf" in text
    assert "https://survey.example.org/goede-buren" in text
    assert "/mail/unsubscribe/" in text
    assert list(message.iter_attachments()) == []


def test_manage_page_shows_the_publication_link_after_the_event(client, event, ticket, published):
    from goedeburen.registration import tokens

    event.date = dt.date(2020, 1, 10)
    event.save()
    registration = _registration(event, ticket)
    token, registration.manage_token_hash = tokens.new_manage_token()
    registration.save()

    html = client.get(
        f"/{event.slug}/register/manage/{registration.code}/{token}/"
    ).content.decode()

    participant = placeholders.participant_token(registration)
    assert f"/{event.slug}/participant/{participant}/publication.pdf" in html
    assert f"/{event.slug}/participant/{participant}/calendar.ics" in html
