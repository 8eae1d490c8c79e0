"""Shared fixtures: an organiser with invoice details, an event with a €125 ticket, a
registration pending payment, Mollie's fake, and tasks that run at once."""

from decimal import Decimal

import pytest

from goedeburen.payments.models import OrganiserBilling, PaymentSettings
from goedeburen.registration import services as registration_services
from tests.mail.conftest import drain, immediate_tasks  # noqa: F401 (fixtures)
from tests.registration.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)

from .fake_mollie import FakeMollie

TEST_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"


@pytest.fixture
def event(db):
    event = OpenEventFactory(contact_email="secretariaat@example.org")
    OrganiserBilling.objects.create(
        organiser=event.organiser,
        legal_name="Stichting Goede Buren",
        address="Beneluxlaan 9\n3527 HT Utrecht",
        kvk_number="12345678",
        vat_number="NL001000007B01",
        iban="NL91ABNA0417164300",
        account_name="Stichting Goede Buren",
    )
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
def register(event, ticket):
    """Register through the service (pending payment); keywords override the defaults."""

    def _register(*, language="nl", attendees=1, email="bea@example.org", **billing_values):
        return registration_services.register(
            event,
            booker=booker(email=email),
            attendees=[attendee(ticket, given_name=f"Ada{n}") for n in range(attendees)],
            billing=billing(po_number="PO-4711", reference="Afd. Wonen", **billing_values),
            form_token=form_token(event),
            language=language,
        )

    return _register


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
