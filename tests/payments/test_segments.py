"""The mailing screen's "paid or not" filter."""

from decimal import Decimal

import pytest

from goedeburen.mail import segments
from goedeburen.payments import queries, services
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(event, register):
    paid = register(email="paid@example.org")
    services.record_manual_payment(paid, amount=Decimal("125.00"), note="bank", by=None)
    unpaid = register(email="unpaid@example.org")
    free_ticket = TicketTypeFactory(event=event, price=Decimal("0"))
    free = register(email="free@example.org")
    free.attendees.update(ticket_type=free_ticket, price=Decimal("0"))
    return paid, unpaid, free


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["paid"], {"paid@example.org"}),
        (["unpaid"], {"unpaid@example.org"}),
        (["nothing_due"], {"free@example.org"}),
        (["paid", "nothing_due"], {"paid@example.org", "free@example.org"}),
    ],
)
def test_payment_filter_chooses_by_what_came_in(event, three, values, expected):
    # Every status: without a status filter a mailing reaches the confirmed only.
    statuses = [status for status, _label in RegistrationStatus.choices]
    chosen = segments.clean_filters(event, {"payment": values, "status": statuses})

    found = {r.email for r in segments.recipients(event, chosen)}

    assert found == expected


def test_balances_of_many_are_those_of_each(event, three):
    many = queries.balances([r.pk for r in three])

    assert many == {r.pk: queries.balance(r) for r in three}
