"""An open event with a free, a paid and an approval ticket sharing one hall, and staff."""

import datetime as dt
from decimal import Decimal

import pytest

from goedeburen.checkin import services, tickets
from goedeburen.events.models import Role
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TeamMemberFactory,
    TicketTypeFactory,
    UserFactory,
)


@pytest.fixture
def event(db):
    return OpenEventFactory(date=dt.date(2027, 3, 5))


@pytest.fixture
def ticket(event):
    """The default ticket of `register`: free, so a registration is confirmed at once."""
    return TicketTypeFactory(event=event, name_nl="Gratis", name_en="Free", price=Decimal("0"))


@pytest.fixture
def paid(event):
    return TicketTypeFactory(event=event, name_nl="Deelname", name_en="Participation")


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
def hall(event, ticket, paid, resident):
    return QuotaFactory(event=event, name="Zaal", size=100, ticket_types=[ticket, paid, resident])


@pytest.fixture
def billing_defaults() -> dict:
    return {"organisation": "Woonstichting De Linde", "address": "Lindelaan 1\n3511 AA Utrecht"}


def member(event, role, *, username=None, first_name=""):
    user = UserFactory(**({"username": username} if username else {}), first_name=first_name)
    TeamMemberFactory(organiser=event.organiser, user=user, role=role, event=event)
    return user


@pytest.fixture
def ingrid(event):
    return member(event, Role.CHECKIN, username="ingrid", first_name="Ingrid")


@pytest.fixture
def owner(event):
    return member(event, Role.OWNER, username="owner", first_name="Olga")


def staff(user, device="phone-1", **kwargs):
    return services.Staff(user=user, device=device, **kwargs)


def scan_code(event, code, *, by, device="phone-1", nonce=None, offline=False, session=None):
    """Scan `code` as a phone does (the hash of what it read) and return the result."""
    import secrets

    return services.record_scan(
        event,
        services.ScanInput(
            nonce=nonce or secrets.token_hex(16),
            ticket_hash=tickets.hash_secret(code),
            session_id=session,
        ),
        staff=staff(by, device),
        offline=offline,
    )
