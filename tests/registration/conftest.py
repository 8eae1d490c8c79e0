from decimal import Decimal

import pytest

from goedeburen.registration import services

from .factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)


@pytest.fixture
def event(db):
    return OpenEventFactory()


@pytest.fixture
def paid(event):
    """€125 incl. 21 % VAT, as the Goede buren conference charges."""
    return TicketTypeFactory(event=event, name_nl="Deelname", name_en="Participation")


@pytest.fixture
def free(event):
    return TicketTypeFactory(event=event, name_nl="Gratis", name_en="Free", price=Decimal("0"))


@pytest.fixture
def resident(event):
    return TicketTypeFactory(
        event=event,
        name_nl="Bewoner",
        name_en="Resident",
        price=Decimal("0"),
        needs_approval=True,
    )


@pytest.fixture
def hall(event, paid, free, resident):
    """One quota of 3 seats that every ticket type shares."""
    return QuotaFactory(event=event, name="Zaal", size=3, ticket_types=[paid, free, resident])


@pytest.fixture
def register(event):
    """Register through the service with sensible defaults; keywords override them."""

    def _register(*tickets, **overrides):
        values = {
            "booker": booker(),
            "attendees": [attendee(ticket) for ticket in tickets],
            "billing": billing(),
            "form_token": form_token(overrides.get("event", event)),
            "language": "nl",
        }
        values.update(overrides)
        return services.register(values.pop("event", event), **values)

    return _register
