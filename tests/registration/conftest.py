from decimal import Decimal

import pytest

from goedeburen.registration import services
from tests.factories import (
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
    """€ 125,00 incl. 21 % VAT, as the Goede buren conference charges."""
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
def staff(db):
    from tests.factories import UserFactory

    return UserFactory(username="secretariaat")


class SentSignals:
    """What the registration signals sent, in order: (signal name, keyword arguments)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def reset(self) -> None:
        """Forget what was sent while arranging the test."""
        self.calls.clear()

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def of(self, name: str) -> list[dict]:
        return [kwargs for sent, kwargs in self.calls if sent == name]


@pytest.fixture
def sent():
    """Connect a receiver to every registration signal and record what it receives."""
    from goedeburen.registration import signals

    record = SentSignals()
    receivers = []
    for name in [
        "registration_created",
        "manage_link_renewed",
        "registration_approved",
        "registration_rejected",
        "registration_confirmed",
        "registration_changed",
        "registration_cancelled",
        "attendee_substituted",
        "attendee_cancelled",
        "waiting_list_offer_made",
    ]:

        def receiver(sender, signal, _name=name, **kwargs):
            record.calls.append((_name, kwargs))

        getattr(signals, name).connect(receiver, weak=False)
        receivers.append((getattr(signals, name), receiver))
    yield record
    for signal, receiver in receivers:
        signal.disconnect(receiver)


@pytest.fixture
def join(event):
    """Join the waiting list through the service, with the defaults of `register`."""

    def _join(*tickets, **overrides):
        values = {
            "booker": booker(),
            "attendees": [attendee(ticket) for ticket in tickets],
            "billing": billing(),
            "form_token": form_token(event),
            "language": "nl",
        }
        values.update(overrides)
        return services.join_waiting_list(event, **values)

    return _join
