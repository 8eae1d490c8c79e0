"""What the real worker sends over SMTP when a colleague goes instead of an attendee: the
new person's own ticket (once the registration is confirmed).

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
from goedeburen.registration.models import Attendee
from goedeburen.registration.services import Substitute, substitute_attendee
from tests.factories import QuotaFactory, TicketTypeFactory

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
