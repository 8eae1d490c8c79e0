"""Participant links (calendar, publication) hold only while the manage link does, and the
publication is reached only through its rule, from storage outside the public media root."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from goedeburen.events.models import Event
from goedeburen.mail import placeholders
from goedeburen.mail import services as mail_services
from goedeburen.mail.models import MailSettings
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _calendar(client, event, token):
    return client.get(f"/{event.slug}/participant/{token}/calendar.ics")


def test_an_old_participant_link_dies_with_a_renewed_manage_link(client, event, register):
    registration = register()
    old = placeholders.participant_token(registration)
    assert _calendar(client, event, old).status_code == 200

    registration_services.renew_manage_link(registration)

    new = placeholders.participant_token(Registration.objects.get(pk=registration.pk))
    assert _calendar(client, event, old).status_code == 404
    assert _calendar(client, event, new).status_code == 200


def test_a_participant_link_dies_with_the_cancellation(client, event, register):
    registration = register()
    token = placeholders.participant_token(registration)

    registration_services.cancel_registration(registration, by=None, reason="")

    assert _calendar(client, event, token).status_code == 404


@pytest.fixture
def published(event, ticket):
    mail_services.upload_publication(event, upload=SimpleUploadedFile("boek.pdf", PDF))
    settings = MailSettings.objects.get(event=event)
    settings.publication_ticket_types.set([ticket])
    return settings


def _publication(client, event, registration):
    token = placeholders.participant_token(registration)
    return client.get(f"/{event.slug}/participant/{token}/publication.pdf")


def _over(event):
    Event.objects.filter(pk=event.pk).update(date=dt.date.today() - dt.timedelta(days=3))
    event.refresh_from_db()


def test_publication_is_refused_to_everyone_but_a_confirmed_holder_after_the_event(
    client, event, ticket, published, register
):
    included = register(ticket)
    Registration.objects.filter(pk=included.pk).update(status=RegistrationStatus.CONFIRMED)
    included.refresh_from_db()
    pending = register(ticket)  # not confirmed (pending payment)
    other_ticket = factories.TicketTypeFactory(event=event, price=0)
    factories.QuotaFactory(event=event, size=5, ticket_types=[other_ticket])
    wrong_ticket = register(other_ticket)
    assert wrong_ticket.status == RegistrationStatus.CONFIRMED

    assert _publication(client, event, included).status_code == 404  # before the event
    _over(event)
    assert client.get(f"/{event.slug}/participant/nonsense/publication.pdf").status_code == 404
    assert _publication(client, event, pending).status_code == 404
    assert _publication(client, event, wrong_ticket).status_code == 404
    response = _publication(client, event, included)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_publication_is_stored_outside_the_media_root_under_a_random_name(
    event, published, settings
):
    name = published.publication.name
    path = Path(published.publication.path)

    assert path.is_relative_to(Path(settings.PROTECTED_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert event.slug not in name and "publication" not in Path(name).name
    assert len(Path(name).stem) >= 32  # 192 random bits, URL-safe
    with pytest.raises(ValueError):
        published.publication.url  # noqa: B018 (a protected file has no URL)
    assert django_settings.MEDIA_URL  # the public media URL serves none of it


def test_publication_with_nginx_is_an_internal_redirect(
    client, event, ticket, published, register, settings
):
    settings.PROTECTED_ACCEL_PREFIX = "/protected/"
    registration = register(ticket)
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CONFIRMED)
    registration.refresh_from_db()
    _over(event)

    response = _publication(client, event, registration)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{published.publication.name}"
    assert response.content == b""
