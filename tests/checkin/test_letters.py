"""Letters with the QR code for every confirmed registration of the registrations list as it
is filtered (the residents without a phone, say), in one PDF to print, each in its
registration's language; logged as a download of personal data."""

import io

import pdfplumber
import pytest
from django.urls import reverse

from goedeburen.backoffice.views.checkin import TicketLettersView
from goedeburen.checkin import tickets
from goedeburen.common.models import LogEntry
from goedeburen.registration import services as registration_services

pytestmark = pytest.mark.django_db


def _letters(client, event, **query):
    path = reverse("backoffice:registration.ticket_letters", kwargs={"event": event.slug})
    return client.get(path, query)


def _pages(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.extract_text() for page in pdf.pages]


def _said(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_one_letter_per_attendee_of_the_confirmed_registrations_filtered(
    client, event, hall, register, owner, ticket, resident
):
    dutch = register(ticket, ticket, name="Bea")  # two attendees
    english = register(ticket, language="en", name="Cas")
    waiting = register(resident, name="Dirk")  # a resident awaiting approval: no ticket yet
    client.force_login(owner)

    response = _letters(client, event, ticket_type=ticket.pk)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    assert len(pages) == 3
    secrets = [tickets.secret_for(a) for r in (dutch, english) for a in r.attendees.all()]
    assert all(any(secret in page for page in pages) for secret in secrets)
    assert (
        sum("Beste " in page for page in pages) == 2 and sum("Dear " in page for page in pages) == 1
    )
    assert not any(waiting.code in page for page in pages)
    logged = LogEntry.objects.get(action="export.downloaded")
    assert logged.data == {"what": "ticket_letters", "rows": 3}


def test_a_resident_approved_gets_a_letter_too(client, event, hall, register, owner, resident):
    registration = register(resident)
    registration_services.approve_registration(registration, by=owner)
    client.force_login(owner)

    pages = _pages(_letters(client, event, ticket_type=resident.pk).content)

    assert [tickets.secret_for(registration.attendees.get()) in page for page in pages] == [True]


def test_no_confirmed_registration_in_the_list_makes_nothing_and_says_so(
    client, event, hall, register, owner, resident
):
    register(resident)  # awaiting approval
    client.force_login(owner)

    response = _letters(client, event, ticket_type=resident.pk)

    assert response.status_code == 302
    assert response.url.endswith(f"?ticket_type={resident.pk}")
    assert _said(response) == [
        "Geen bevestigde aanmelding in deze lijst: alleen een bevestigde aanmelding heeft tickets."
    ]
    assert not LogEntry.objects.filter(action="export.downloaded").exists()


def test_more_than_the_most_at_once_makes_nothing(
    client, event, hall, register, owner, monkeypatch
):
    monkeypatch.setattr(TicketLettersView, "most_at_once", 1)
    register(name="Bea")
    register(name="Cas")
    client.force_login(owner)

    response = _letters(client, event)

    assert response.status_code == 302 and "ten hoogste 1 aanmeldingen" in _said(response)[0]


@pytest.mark.parametrize("query", [{"ticket_type": "999999"}, {"status": "nonsense"}])
def test_a_bad_filter_makes_nothing_and_says_why(client, event, hall, register, owner, query):
    register()
    client.force_login(owner)

    response = _letters(client, event, **query)

    assert response.status_code == 302 and "filter" in _said(response)[0]


def test_the_list_links_to_the_letters_with_its_filters(
    client, event, hall, register, owner, ticket
):
    register()
    client.force_login(owner)

    page = client.get(
        reverse("backoffice:registration.list", kwargs={"event": event.slug}),
        {"ticket_type": ticket.pk},
    ).content.decode()

    path = reverse("backoffice:registration.ticket_letters", kwargs={"event": event.slug})
    assert f'href="{path}?ticket_type={ticket.pk}"' in page
