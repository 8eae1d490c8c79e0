"""What the real worker sends over SMTP when a colleague goes instead of an attendee: the
new person's own ticket (once the registration is confirmed, with their mail or, when the
confirmation comes later, with a mail of its own), to the person who no longer goes a short
mail whose METHOD:CANCEL file takes their own calendar entries out, and to the booker a
notice when the organiser let someone go in the booker's own place.

Each test drains the queue with `goedeburen worker --burst` and then counts.
"""

import io
from decimal import Decimal

import pdfplumber
import pytest
from django.urls import reverse
from icalendar import Calendar

from goedeburen.checkin import tickets
from goedeburen.mail import placeholders
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments.services import record_manual_payment
from goedeburen.registration import signals
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration
from goedeburen.registration.services import (
    Substitute,
    approve_registration,
    cancel_registration,
    substitute_attendee,
)
from tests import factories
from tests.factories import QuotaFactory, TicketTypeFactory, UserFactory

from .conftest import part

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COR = Substitute(given_name="Cor", family_name="Collega", email="cor@example.org")
DIRK = Substitute(given_name="Dirk", family_name="Dekker", email="dirk@example.org")


@pytest.fixture
def free(event):
    """A free ticket: a registration on it is confirmed at once."""
    free = TicketTypeFactory(event=event, name_nl="Gratis", name_en="Free", price=Decimal("0"))
    QuotaFactory(event=event, size=10, ticket_types=[free])
    return free


def _mails_to(smtp, address: str) -> list:
    return [message for message in smtp.messages if message["To"] == address]


def _attached(message, content_type: str) -> list:
    return [a for a in message.iter_attachments() if a.get_content_type() == content_type]


def _pdf_text(content: bytes) -> tuple[str, int]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages), len(pdf.pages)


def _calendar(attachment) -> Calendar:
    return Calendar.from_ical(attachment.get_content().encode())


def _uids(calendar: Calendar) -> list[str]:
    return sorted(str(entry["uid"]) for entry in calendar.walk("VEVENT"))


def _own_link_file(client, attendee) -> Calendar:
    """Return the file the attendee's own calendar link gives now (a mailing's link)."""
    token = placeholders.attendee_token(attendee)
    path = reverse(
        "public:attendee.calendar",
        kwargs={"event": attendee.registration.event.slug, "token": token},
    )
    response = client.get(path)
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


# The ticket of the colleague who goes instead ------------------------------------------


def test_the_colleague_gets_their_own_ticket_with_their_name_and_the_new_code(
    smtp, drain, register, free
):
    registration = register(ticket_type=free, attendees=2, email="bea@example.org")
    drain()
    first, second = registration.attendees.order_by("pk")
    old_code = tickets.secret_for(first)

    substitute_attendee(first, substitute=COR)
    drain()

    [message] = _mails_to(smtp, "cor@example.org")
    [ticket] = _attached(message, "application/pdf")
    assert ticket.get_filename() == f"ticket-{registration.code}-{first.pk}.pdf"
    text, pages = _pdf_text(ticket.get_content())
    now = Attendee.objects.get(pk=first.pk)
    assert pages == 1  # theirs alone: another's ticket would let its holder in
    assert "Cor Collega" in text
    assert tickets.secret_for(now) in text
    assert tickets.secret_for(now) != old_code
    assert old_code not in text
    assert tickets.secret_for(second) not in text


def test_the_colleague_of_an_unpaid_registration_gets_no_ticket_yet(smtp, drain, register):
    registration = register(email="bea@example.org")  # the paid ticket: pending payment
    drain()

    substitute_attendee(registration.attendees.get(), substitute=COR)
    drain()

    [message] = _mails_to(smtp, "cor@example.org")
    assert _attached(message, "application/pdf") == []
    assert len(_attached(message, "text/calendar")) == 1


# The ticket once the registration is confirmed later -----------------------------------


@pytest.fixture
def resident(event):
    """A free ticket the organiser approves: confirmed on approval."""
    resident = TicketTypeFactory(
        event=event, name_nl="Bewoner", name_en="Resident", price=Decimal("0"), needs_approval=True
    )
    QuotaFactory(event=event, size=10, ticket_types=[resident])
    return resident


def _confirm(registration, how: str) -> None:
    """Confirm a registration as the organiser does: a payment found by hand (as a bank
    transfer matched later), or an approval."""
    if how == "paid":
        amount = sum(a.price for a in registration.attendees.all())
        record_manual_payment(registration, amount=amount, note="bank", by=UserFactory())
    else:
        approve_registration(registration, by=UserFactory())


def _booked(how: str, register, resident) -> Registration:
    if how == "paid":
        return register(attendees=2, email="bea@example.org")  # pending payment
    return register(ticket_type=resident, attendees=2, email="bea@example.org")


@pytest.mark.parametrize("how", ["paid", "approved"])
def test_the_colleague_gets_their_own_ticket_once_the_registration_is_confirmed(
    smtp, drain, register, resident, event, how
):
    registration = _booked(how, register, resident)
    first, second = registration.attendees.order_by("pk")
    substitute_attendee(first, substitute=COR)
    drain()
    [before] = _mails_to(smtp, "cor@example.org")
    assert _attached(before, "application/pdf") == []
    assert "U krijgt uw ticket per mail zodra de aanmelding bevestigd is." in part(
        before, "text/plain"
    )

    _confirm(registration, how)
    drain()

    [_, message] = _mails_to(smtp, "cor@example.org")
    assert message["Subject"] == f"Uw ticket voor {event.name_nl}"
    text = part(message, "text/plain")
    assert text.startswith("Beste Cor Collega,")
    assert "Uw ticket zit als bijlage bij deze mail." in text
    [ticket] = _attached(message, "application/pdf")
    assert ticket.get_filename() == f"ticket-{registration.code}-{first.pk}.pdf"
    content, pages = _pdf_text(ticket.get_content())
    now = Attendee.objects.get(pk=first.pk)
    assert pages == 1  # theirs alone
    assert "Cor Collega" in content
    assert tickets.secret_for(now) in content
    assert tickets.secret_for(second) not in content
    # The booker's mail that confirms carries every ticket, as before.
    files = [
        a.get_filename()
        for m in _mails_to(smtp, "bea@example.org")
        for a in _attached(m, "application/pdf")
    ]
    assert files.count(f"tickets-{registration.code}.pdf") == 1


def test_a_substitute_mail_still_queued_at_the_confirmation_carries_the_ticket_itself(
    smtp, drain, register
):
    registration = register(email="bea@example.org")
    drain()
    attendee = registration.attendees.get()
    substitute_attendee(attendee, substitute=COR)  # its mail not yet sent

    _confirm(registration, "paid")
    drain()

    [message] = _mails_to(smtp, "cor@example.org")  # one mail, not a ticket twice
    assert message["Subject"] == f"U gaat naar {registration.event.name_nl}"
    assert "Uw ticket zit als bijlage bij deze mail." in part(message, "text/plain")
    [ticket] = _attached(message, "application/pdf")
    assert (
        tickets.secret_for(Attendee.objects.get(pk=attendee.pk))
        in _pdf_text(ticket.get_content())[0]
    )
    assert not OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE_TICKET).exists()


def test_the_ticket_goes_once_however_often_the_registration_is_confirmed(smtp, drain, register):
    registration = register(email="bea@example.org")
    substitute_attendee(registration.attendees.get(), substitute=COR)
    drain()
    _confirm(registration, "paid")
    drain()

    # The same news again (a confirmation event sent twice, a retried task).
    registration.refresh_from_db()
    signals.registration_confirmed.send(sender=Registration, registration=registration)
    drain()

    assert OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE_TICKET).count() == 1
    assert len(_mails_to(smtp, "cor@example.org")) == 2  # their mail, then their ticket


def test_a_ticket_not_sent_before_the_registration_is_cancelled_goes_no_more(smtp, drain, register):
    registration = register(email="bea@example.org")
    substitute_attendee(registration.attendees.get(), substitute=COR)
    drain()
    _confirm(registration, "paid")  # the ticket's mail queued, not yet sent

    cancel_registration(registration, by=UserFactory(), reason="Kan niet meer")
    drain()

    [ticket_mail] = OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE_TICKET)
    assert ticket_mail.state == MailState.CANCELLED
    assert [m["Subject"] for m in _mails_to(smtp, "cor@example.org")] == [
        f"U gaat naar {registration.event.name_nl}"
    ]


def test_a_ticket_mail_taken_by_a_worker_after_the_cancellation_is_refused_for_good(
    smtp, drain, register
):
    registration = register(email="bea@example.org")
    substitute_attendee(registration.attendees.get(), substitute=COR)
    drain()
    _confirm(registration, "paid")
    # Cancelled while a worker had the mail (no receiver got to cancel it).
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CANCELLED)

    drain()

    ticket_mail = OutgoingMail.objects.get(kind=MailKind.SUBSTITUTE_TICKET)
    assert ticket_mail.state == MailState.FAILED
    assert ticket_mail.last_error.startswith("MailError: ")
    assert ticket_mail.next_attempt_at is None  # not tried again: it would fail again
    assert len(_mails_to(smtp, "cor@example.org")) == 1  # their first mail only


@pytest.mark.parametrize("address", ["bea@example.org", ""], ids=["the-bookers", "none"])
def test_no_ticket_of_its_own_without_an_address_of_their_own(smtp, drain, register, address):
    registration = register(email="bea@example.org")
    substitute_attendee(
        registration.attendees.get(), substitute=Substitute(given_name="Cor", email=address)
    )
    drain()

    _confirm(registration, "paid")
    drain()

    # The booker's mail that confirms has the ticket; nothing is sent twice.
    assert not OutgoingMail.objects.filter(kind=MailKind.SUBSTITUTE_TICKET).exists()
    assert all(m["To"] == "bea@example.org" for m in smtp.messages)


# The booker told when the organiser let someone go in the booker's own place -----------


@pytest.mark.parametrize(
    ("language", "subject", "opening", "sentences"),
    [
        (
            "nl",
            "Iemand anders gaat in uw plaats naar {event}",
            "Beste Bea Boeker,",
            [
                "We hebben uw aanmelding {code} veranderd: Cor Collega gaat nu op ",
                "Uw eigen ticket werkt niet meer.",
                "U blijft de contactpersoon voor deze aanmelding.",
                "Is dit een vergissing? Beantwoord dan deze mail.",
            ],
        ),
        (
            "en",
            "Someone else goes to {event} in your place",
            "Dear Bea Boeker,",
            [
                "We changed your registration {code}: Cor Collega now goes to ",
                "Your own ticket no longer works.",
                "You stay the contact person for this registration.",
                "Is this a mistake? Then reply to this mail.",
            ],
        ),
    ],
)
def test_the_booker_is_told_when_the_organiser_lets_someone_go_in_their_place(
    smtp, drain, register, free, event, language, subject, opening, sentences
):
    bea = factories.attendee(free, given_name="Bea", family_name="Boeker", email="bea@example.org")
    registration = register(
        attendees=[bea], name="Bea Boeker", email="bea@example.org", language=language
    )
    drain()
    smtp.messages.clear()

    substitute_attendee(registration.attendees.get(), substitute=COR, by=UserFactory())
    drain()

    [told] = _mails_to(smtp, "bea@example.org")
    name = event.name_nl if language == "nl" else event.name_en
    assert told["Subject"] == subject.format(event=name)
    text = part(told, "text/plain")
    assert text.startswith(opening)
    for sentence in sentences:
        assert sentence.format(code=registration.code) in text
    # The booker's calendar file is the registration's, and stays: nothing to cancel.
    assert _attached(told, "text/calendar") == []
    mail = OutgoingMail.objects.get(kind=MailKind.BOOKER_REPLACED)
    assert (mail.state, mail.language) == (MailState.SENT, language)
    assert not OutgoingMail.objects.filter(kind=MailKind.REPLACED).exists()


def test_the_booker_who_lets_someone_go_in_their_own_place_gets_no_notice(
    smtp, drain, register, free
):
    bea = factories.attendee(free, given_name="Bea", email="bea@example.org")
    registration = register(attendees=[bea], email="bea@example.org")

    substitute_attendee(registration.attendees.get(), substitute=COR)  # their manage link
    drain()

    assert not OutgoingMail.objects.filter(kind=MailKind.BOOKER_REPLACED).exists()


# The mail to the person who no longer goes ---------------------------------------------


def test_the_previous_colleague_gets_a_cancel_for_every_entry_of_their_own_file(
    smtp, drain, register, free, client, event
):
    registration = register(ticket_type=free, email="bea@example.org")
    attendee = registration.attendees.get()
    substitute_attendee(attendee, substitute=COR)
    drain()
    [sent] = _attached(_mails_to(smtp, "cor@example.org")[0], "text/calendar")
    downloaded = _own_link_file(client, Attendee.objects.get(pk=attendee.pk))

    substitute_attendee(attendee, substitute=DIRK, by=UserFactory())
    drain()

    mail = OutgoingMail.objects.get(kind=MailKind.REPLACED)
    [told] = [m for m in smtp.messages if m["Message-ID"] == mail.message_id]
    assert (mail.state, mail.recipient, mail.registration_id) == (
        MailState.SENT,
        "cor@example.org",
        registration.pk,
    )
    assert told["To"] == "cor@example.org"
    assert told["Subject"] == f"U gaat niet meer naar {event.name_nl}"
    text = part(told, "text/plain")
    assert text.startswith("Beste Cor Collega,")
    assert "Een collega gaat op " in text
    assert "/manage/" not in text  # the booker's link is the booker's
    [attachment] = _attached(told, "text/calendar")
    assert attachment.get_param("method") == "CANCEL"
    cancel = _calendar(attachment)
    assert str(cancel["method"]) == "CANCEL"
    # The same UIDs as the file they were sent and the file their link gave: their own.
    published = _calendar(sent)
    assert _uids(cancel) == _uids(published) == _uids(downloaded)
    owner = f"{registration.code}-{attendee.pk}-"
    assert all(uid.startswith(owner) for uid in _uids(cancel))
    for entry in cancel.walk("VEVENT"):
        before = next(e for e in published.walk("VEVENT") if e["uid"] == entry["uid"])
        assert str(entry["status"]) == "CANCELLED"
        assert int(entry["sequence"]) > int(before["sequence"])
        assert str(entry["attendee"]) == "mailto:cor@example.org"
    # Dirk's own file has other UIDs: nothing of it is cancelled.
    [dirks] = _attached(_mails_to(smtp, "dirk@example.org")[0], "text/calendar")
    assert set(_uids(_calendar(dirks))).isdisjoint(_uids(cancel))


def test_an_attendee_with_their_own_address_is_told_in_english_with_the_cancel(
    smtp, drain, register, free, client, event
):
    ada = factories.attendee(free, given_name="Ada", email="ada@example.org")
    registration = register(attendees=[ada], email="bea@example.org", language="en")
    attendee = registration.attendees.get()
    # Ada's own link, as a mailing to the attendees gives it.
    downloaded = _own_link_file(client, attendee)
    drain()

    substitute_attendee(attendee, substitute=COR)
    drain()

    [told] = _mails_to(smtp, "ada@example.org")
    assert told["Subject"] == f"You are no longer going to {event.name_en}"
    text = part(told, "text/plain")
    assert text.startswith("Dear Ada de Vries,")
    assert "A colleague now goes to " in text
    assert "Your ticket no longer works." in text
    [attachment] = _attached(told, "text/calendar")
    cancel = _calendar(attachment)
    assert str(cancel["method"]) == "CANCEL"
    assert _uids(cancel) == _uids(downloaded)
    owner = placeholders.attendee_calendar_owner(attendee)  # before: Ada's ticket secret
    assert _uids(cancel) == [f"{owner}-event@{event.slug}.goedeburen"]


@pytest.mark.parametrize(
    "address",
    ["", "bea@example.org", "BEA@example.org", "cor@example.org"],
    ids=["no-address", "the-bookers", "the-bookers-in-capitals", "the-new-persons"],
)
def test_no_mail_to_the_previous_person_without_an_address_of_their_own(
    smtp, drain, register, free, address
):
    ada = factories.attendee(free, given_name="Ada", email=address)
    registration = register(attendees=[ada], email="bea@example.org")
    drain()

    substitute_attendee(registration.attendees.get(), substitute=COR)
    drain()

    assert not OutgoingMail.objects.filter(kind=MailKind.REPLACED).exists()
    assert sorted(m["To"] for m in smtp.messages) == ["bea@example.org", "cor@example.org"]
