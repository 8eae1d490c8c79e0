"""The migration to payments that name their bank line carries every booked line over."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from goedeburen.payments.models import BankTransaction
from tests.factories import OpenEventFactory, RegistrationFactory

BEFORE = [("payments", "0006_invoice_buyer_vat_number")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _latest():
    """Migrate to the latest migrations (0007, the one tested, on the way): the lines are
    read with today's model."""
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def back_to_the_latest():
    """Leave the database at the latest migrations, as the tests after this one need."""
    yield
    _latest()


@pytest.mark.django_db(transaction=True)
def test_a_booked_line_and_its_return_keep_their_registration(back_to_the_latest):
    event = OpenEventFactory()
    paid, other = RegistrationFactory(event=event), RegistrationFactory(event=event)
    old = _migrate(BEFORE)
    statement = old.get_model("payments", "BankStatement").objects.create(
        organiser_id=event.organiser_id, event_id=event.pk, filename="s.xml", file_hash="1" * 64
    )
    Payment = old.get_model("payments", "Payment")
    Line = old.get_model("payments", "BankTransaction")

    def line(n, **values):
        return Line.objects.create(
            statement=statement,
            organiser_id=event.organiser_id,
            fingerprint=f"f{n}",
            amount=Decimal("125.00"),
            booking_date="2026-11-23",
            **values,
        )

    payments = [
        Payment.objects.create(
            registration_id=registration.pk,
            provider="bank_transfer",
            amount=Decimal("125.00"),
            state="paid",
        )
        for registration in (paid, other)
    ]
    credit = line(1, state="matched", registration_id=paid.pk, payment=payments[0])
    line(2, state="matched", registration_id=other.pk, payment=payments[1])
    line(3, state="returned", kind="return", registration_id=paid.pk, reverses=credit)
    line(4, state="unmatched")

    _latest()

    lines = list(BankTransaction.objects.order_by("fingerprint"))
    assert [line.registrations for line in lines] == [[paid], [other], [paid], []]
    assert [p.pk for line in lines[:2] for p in line.paid_for] == [p.pk for p in payments]
