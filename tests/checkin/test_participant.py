"""The participant's side: the ticket on the personal page and with the confirmation mail,
the badge choices until 48 hours before, the certificate and its public verification."""

import datetime as dt
import io

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from goedeburen.checkin import services, tickets
from goedeburen.checkin.exceptions import CheckinError
from goedeburen.checkin.models import Certificate, CheckinSettings, DayChoices
from goedeburen.common.models import LogEntry
from goedeburen.mail import composing
from goedeburen.mail.enums import MailKind
from goedeburen.mail.segments import matching_attendees
from goedeburen.payments import services as payment_services
from goedeburen.registration import tokens
from goedeburen.registration.enums import BadgeName
from tests.factories import OrganiserBillingFactory

from .conftest import scan_code

pytestmark = pytest.mark.django_db


def _manage(registration, token, name="public:registration.manage", **kwargs):
    return reverse(
        name,
        kwargs={
            "event": registration.event.slug,
            "code": registration.code,
            "token": token,
            **kwargs,
        },
    )


def _with_link(registration):
    token, hashed = tokens.new_manage_token()
    type(registration).objects.filter(pk=registration.pk).update(manage_token_hash=hashed)
    return token


def _pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def test_personal_page_shows_the_ticket_of_a_confirmed_registration(client, event, hall, register):
    registration = register()
    token = _with_link(registration)

    page = client.get(_manage(registration, token)).content.decode()

    assert "Je tickets" in page
    assert 'alt="Ticketcode van Ada de Vries"' in page or "Ticketcode van" in page
    assert "data:image/svg+xml" in page


def test_personal_page_shows_no_ticket_before_payment(client, event, hall, paid, register):
    registration = register(paid)
    token = _with_link(registration)

    page = client.get(_manage(registration, token)).content.decode()

    assert "Je tickets" not in page
    assert (
        client.get(_manage(registration, token, "public:registration.tickets")).status_code == 404
    )


def test_ticket_pdf_holds_name_event_date_time_venue_and_the_secret(client, event, hall, register):
    registration = register()
    token = _with_link(registration)
    attendee = registration.attendees.get()

    content = client.get(_manage(registration, token, "public:registration.tickets")).content

    text = _pdf_text(content)
    for part in (
        attendee.badge_text,
        event.name_nl,
        "10:00–16:30",
        event.venue.name,
        tickets.secret_for(attendee),
    ):
        assert part in text


def test_confirmation_mail_carries_the_tickets_only_once_confirmed(event, hall, paid, register):
    OrganiserBillingFactory(
        organiser=event.organiser,
        legal_name="Stichting",
        address="Beneluxlaan 9\n3527 HT Utrecht",
        account_name="Stichting",
    )
    registration = register(paid)
    pending = composing.attachments_for(
        MailKind.CONFIRMATION, event=event, registration=registration
    )

    payment_services.record_manual_payment(registration, amount=paid.price, note="", by=None)
    registration.refresh_from_db()
    paid_mail = composing.attachments_for(
        MailKind.PAYMENT_RECEIVED, event=event, registration=registration
    )

    assert [a.filename for a in pending if a.filename.endswith(".pdf")] == []
    assert [a.filename for a in paid_mail] == [f"tickets-{registration.code}.pdf"]


def test_ticket_letter_for_someone_without_a_phone(client, event, hall, register, owner):
    registration = register()
    client.force_login(owner)

    response = client.get(
        reverse(
            "backoffice:registration.ticket_letter",
            kwargs={"event": event.slug, "code": registration.code},
        )
    )

    text = _pdf_text(response.content)
    assert "Beste Ada," in text
    assert tickets.secret_for(registration.attendees.get()) in text


def test_badge_choices_are_saved_and_close_48_hours_before(
    client, event, hall, register, monkeypatch
):
    registration = register()
    token = _with_link(registration)
    attendee = registration.attendees.get()
    path = _manage(registration, token, "public:registration.badge", attendee=attendee.pk)
    data = {"badge_name": BadgeName.FIRST_NAME, "pronouns": "zij/haar", "name_for_caterer": "on"}

    saved = client.post(path, data)
    late = event.starts_at() - dt.timedelta(hours=47)
    monkeypatch.setattr(timezone, "now", lambda: late)
    closed = client.post(path, {**data, "pronouns": "hij/hem"})

    attendee.refresh_from_db()
    choices = DayChoices.objects.get(attendee=attendee)
    assert saved.status_code == 302
    assert (attendee.badge_name, choices.pronouns, choices.name_for_caterer) == (
        BadgeName.FIRST_NAME,
        "zij/haar",
        True,
    )
    assert "De badges worden gedrukt" in closed.content.decode()


def test_pronouns_go_onto_the_badge_on_one_line(client, event, hall, register):
    registration = register()
    token = _with_link(registration)
    attendee = registration.attendees.get()
    path = _manage(registration, token, "public:registration.badge", attendee=attendee.pk)
    data = {"badge_name": BadgeName.FULL, "pronouns": "\ufeffzij/\u0007haar\r\n\x1b"}

    response = client.post(path, data)

    assert response.status_code == 302
    assert DayChoices.objects.get(attendee=attendee).pronouns == "zij/haar"


def _past(event):
    event.date = timezone.localdate() - dt.timedelta(days=1)
    event.save()


def test_certificate_for_everyone_checked_in_and_verifiable_by_code(
    client, event, hall, register, ingrid, owner
):
    came, stayed_away = register(), register()
    scan_code(event, tickets.secret_for(came.attendees.get()), by=ingrid)
    _past(event)
    CheckinSettings.objects.create(event=event, certificates=True)

    issued = services.issue_certificates(event, by=owner)

    certificate = Certificate.objects.get()
    assert (issued, certificate.attendee.registration) == (1, came)
    assert not Certificate.objects.filter(attendee__registration=stayed_away).exists()
    token = _with_link(came)
    text = _pdf_text(client.get(_manage(came, token, "public:registration.certificates")).content)
    assert certificate.name in text and certificate.code in text and event.name_nl in text
    verify = reverse("public:certificate.verify", kwargs={"event": event.slug})
    good = client.get(verify, {"code": certificate.code.lower().replace("-", " ")}).content.decode()
    bad = client.get(verify, {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert f"Dit bewijs is echt: {certificate.name} heeft deelgenomen aan {event.name_nl}." in good
    assert came.email not in good and came.code not in good
    assert "Geen bewijs van dit evenement heeft die code." in bad


def test_certificates_are_not_issued_before_the_event(event, hall, owner):
    CheckinSettings.objects.create(event=event, certificates=True)

    with pytest.raises(CheckinError) as refused:
        services.issue_certificates(event, by=owner)

    assert refused.value.code == "certificates_off"


def test_thank_you_mail_carries_the_certificate_when_switched_on(
    event, hall, register, ingrid, owner
):
    registration = register()
    scan_code(event, tickets.secret_for(registration.attendees.get()), by=ingrid)
    _past(event)
    CheckinSettings.objects.create(event=event, certificates=True)
    services.issue_certificates(event, by=owner)

    on = composing.attachments_for(MailKind.THANK_YOU, event=event, registration=registration)
    CheckinSettings.objects.filter(event=event).update(certificates=False)
    off = composing.attachments_for(MailKind.THANK_YOU, event=event, registration=registration)

    assert [a.filename for a in on] == [f"certificate-{registration.code}.pdf"]
    assert off == []


def test_mailing_segment_checked_in_or_not(event, hall, register, ingrid):
    came, stayed_away = register(), register()
    scan_code(event, tickets.secret_for(came.attendees.get()), by=ingrid)

    checked = matching_attendees(event, {"checked_in": ["checked_in"]})
    not_checked = matching_attendees(event, {"checked_in": ["not_checked_in"]})

    assert [a.registration_id for a in checked] == [came.pk]
    assert [a.registration_id for a in not_checked] == [stayed_away.pk]


@pytest.mark.parametrize(
    "name",
    [
        "public:registration.badge",
        "public:registration.substitute",
        "public:registration.cancel_attendee",
    ],
)
def test_a_personal_link_reaches_only_its_own_attendees(client, event, hall, register, name):
    mine, theirs = register(), register(email="bea@example.org")
    token = _with_link(mine)
    stranger = theirs.attendees.get()
    path = _manage(mine, token, name, attendee=stranger.pk)
    before = type(stranger).objects.filter(pk=stranger.pk).values().get()

    answers = [client.get(path).status_code, client.post(path, {"badge_name": "first"}).status_code]

    assert answers == [404, 404]
    assert type(stranger).objects.filter(pk=stranger.pk).values().get() == before
    assert not DayChoices.objects.filter(attendee=stranger).exists()


def test_every_certificate_in_one_pdf_each_in_its_language_and_logged(
    client, event, hall, register, ingrid, owner
):
    dutch, english = register(name="Bea"), register(language="en", name="Cas")
    for registration in (dutch, english):
        scan_code(event, tickets.secret_for(registration.attendees.get()), by=ingrid)
    _past(event)
    CheckinSettings.objects.create(event=event, certificates=True)
    services.issue_certificates(event, by=owner)
    client.force_login(owner)
    path = reverse("backoffice:checkin.certificates_pdf", kwargs={"event": event.slug})

    settings_page = client.get(reverse("backoffice:checkin.settings", args=[event.slug]))
    response = client.get(path)

    assert path in settings_page.content.decode()
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
    codes = {c.attendee.registration_id: c.code for c in Certificate.objects.all()}
    assert len(pages) == 2
    assert sum("Bewijs van deelname" in page for page in pages) == 1
    assert sum("Certificate of attendance" in page for page in pages) == 1
    assert all(any(code in page for page in pages) for code in codes.values())
    logged = LogEntry.objects.get(action="export.downloaded")
    assert logged.data == {"what": "certificates", "rows": 2}


def test_no_certificate_issued_yet_makes_no_pdf(client, event, owner):
    client.force_login(owner)

    response = client.get(
        reverse("backoffice:checkin.certificates_pdf", kwargs={"event": event.slug})
    )

    assert response.status_code == 302 and response.url.endswith("/checkin/settings/")
    assert not LogEntry.objects.filter(action="export.downloaded").exists()
