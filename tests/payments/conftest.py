"""Shared fixtures: an organiser with invoice details, an event with a € 125,00 ticket, a
registration pending payment, Mollie's fake, and tasks that run at once."""

from decimal import Decimal

import pytest

from goedeburen.mail import services as mail_services
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services
from goedeburen.payments.models import PaymentSettings
from tests.factories import (
    OpenEventFactory,
    OrganiserBillingFactory,
    QuotaFactory,
    TicketTypeFactory,
)
from tests.mail.conftest import drain  # noqa: F401 (fixture)

from .fake_mollie import FakeMollie

TEST_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"


def payment_mails(registration) -> list[tuple[str, str]]:
    """Return (kind, text as rendered) of each mail about a payment queued for
    `registration`: payment received, or payment after cancellation."""
    mails = OutgoingMail.objects.filter(
        registration=registration,
        kind__in=[MailKind.PAYMENT_RECEIVED, MailKind.PAYMENT_AFTER_CANCELLATION],
    ).order_by("pk")
    return [(mail.kind, mail_services.render_queued(mail).body_text) for mail in mails]


def mail_after_cancellation(registration) -> str:
    """Return the text of the one payment mail queued for `registration`, which is the
    payment-after-cancellation mail (never "payment received")."""
    [(kind, text)] = payment_mails(registration)
    assert kind == MailKind.PAYMENT_AFTER_CANCELLATION
    return text


@pytest.fixture
def event(db):
    event = OpenEventFactory(contact_email="secretariaat@example.org")
    OrganiserBillingFactory(organiser=event.organiser)
    PaymentSettings.objects.create(event=event, mollie_enabled=True)
    return event


@pytest.fixture
def ticket(event):
    ticket = TicketTypeFactory(
        event=event,
        name_nl="Deelname",
        name_en="Participation",
        price=Decimal("125.00"),
        vat_rate=Decimal("21.00"),
    )
    QuotaFactory(event=event, size=50, ticket_types=[ticket])
    return ticket


@pytest.fixture
def billing_defaults() -> dict:
    """Invoices here carry a purchase order number and the buyer's reference."""
    return {"po_number": "PO-4711", "reference": "Afd. Wonen"}


@pytest.fixture
def mollie(settings, event):
    """Mollie's fake, with the event's organiser holding a test key pointed at it."""
    fake = FakeMollie()
    fake.start()
    settings.MOLLIE_API_KEYS = {event.organiser.slug: TEST_KEY}
    settings.MOLLIE_API_ENDPOINT = fake.url
    settings.SITE_URL = "http://testserver"
    yield fake
    fake.stop()


@pytest.fixture
def book(event, immediate_tasks, django_capture_on_commit_callbacks):
    """Import a bank statement as the back office does (for `event`'s organiser, or `on`'s),
    with the background part run when it commits."""

    def _book(data: bytes, filename: str = "statement.xml", *, on=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.import_statement(on or event, filename=filename, data=data)

    return _book
