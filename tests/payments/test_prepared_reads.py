"""The compiled reads of issuing and rendering (`common.prepared`) return what the ORM's
querysets return: the same instances with the same field values, related objects and
annotations, in the same order."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Prefetch

from goedeburen.common.prepared import Prepared, fetch_together
from goedeburen.payments import queries, services
from goedeburen.payments.models import Invoice, InvoiceLine, PaymentSettings
from goedeburen.payments.services import invoices, payments
from goedeburen.registration.models import Registration

pytestmark = pytest.mark.django_db


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_locked_registration_is_what_the_orm_reads(register, event):
    PaymentSettings.objects.filter(event=event).update(payment_term_days=21, reminder_days=0)
    invoiced, fresh = register(attendees=2), register(attendees=1)
    services.issue_invoice(invoiced)
    today = dt.date.today()

    for registration in (invoiced, fresh):
        with transaction.atomic():
            (prepared,) = invoices._LOCKED.fetch(pk=registration.pk, today=today)
            orm = invoices._locked(registration.pk, today).get()
        assert _values(prepared) == _values(orm)
        for path in ("event", "event.organiser", "event.organiser.billing"):
            one, two = prepared, orm
            for name in path.split("."):
                one, two = getattr(one, name), getattr(two, name)
            assert _values(one) == _values(two), path
        for name in ("_has_invoice", "_invoiced_today", "_payment_settings"):
            assert getattr(prepared, name) == getattr(orm, name), name
    assert prepared._payment_settings["payment_term_days"] == 21
    assert (prepared._has_invoice, prepared._invoiced_today) == (False, True)


def test_the_attendees_come_in_the_orms_order_with_their_ticket_types(register):
    registration = register(attendees=4)

    prepared = invoices._ATTENDEES.fetch(registration=registration.pk)
    orm = list(invoices._attendees(registration.pk))

    assert [_values(a) for a in prepared] == [_values(a) for a in orm]
    assert [_values(a.ticket_type) for a in prepared] == [_values(a.ticket_type) for a in orm]


def test_an_invoice_with_its_lines_is_what_select_and_prefetch_related_read(
    register, django_assert_num_queries
):
    registration = register(attendees=3)
    invoice = services.issue_invoice(registration)
    credit = services.credit_invoice(invoice, reason="test")

    for pk in (invoice.pk, credit.pk):
        prepared = queries.invoice_with_lines(pk)
        orm = (
            Invoice.objects.select_related("credits", "event", "registration")
            .prefetch_related(
                Prefetch("lines", queryset=InvoiceLine.objects.order_by("order", "pk"))
            )
            .get(pk=pk)
        )
        assert _values(prepared) == _values(orm)
        for name in ("event", "registration"):
            assert _values(getattr(prepared, name)) == _values(getattr(orm, name))
        assert (prepared.credits and _values(prepared.credits)) == (
            orm.credits and _values(orm.credits)
        )
        with django_assert_num_queries(0):
            lines = list(prepared.lines.all())
            assert all(line.invoice is prepared for line in lines)
        assert [_values(line) for line in lines] == [_values(line) for line in orm.lines.all()]
        assert len(lines) == 3


_SUMS = ("paid", "refunded", "invoiced", "invoiced_any", "tickets")


def test_a_balance_sums_what_the_orms_query_sums(register):
    fresh, invoiced, paid = register(), register(attendees=2), register(attendees=3)
    reissued = services.issue_invoice(invoiced)
    services.reissue_invoice(reissued, reason="wrong PO number")
    services.issue_invoice(paid)
    payment = services.record_manual_payment(paid, amount=Decimal("200.00"), note="cash", by=None)
    services.create_refund(payment, amount=Decimal("20.00"), reason="no lunch")

    for registration in (fresh, invoiced, paid):
        (prepared,) = queries._BALANCE.fetch(pk=registration.pk)
        orm = queries._balance_sums(registration.pk).get()
        assert {n: getattr(prepared, n) for n in _SUMS} == {n: getattr(orm, n) for n in _SUMS}
    assert queries.balance(paid) == queries.Balance(due=Decimal("375.00"), paid=Decimal("180.00"))
    with pytest.raises(Registration.DoesNotExist):
        queries.balance(Registration(pk=987654))


def test_a_balance_is_in_cents_whatever_the_database_sums_give():
    # SQLite sums decimals as floating point and returns them without places.
    balance = queries.Balance.of(
        invoiced=None,
        cancelled=False,
        tickets=Decimal("125"),
        paid=Decimal("0.30000000000000004"),
        refunded=Decimal("0.1"),
    )

    assert (str(balance.due), str(balance.paid), str(balance.open)) == ("125.00", "0.20", "124.80")


def test_the_current_invoice_is_the_one_the_orm_finds(register):
    none_yet, reissued, credited = register(), register(), register()
    _credit, new = services.reissue_invoice(services.issue_invoice(reissued), reason="address")
    services.credit_invoice(services.issue_invoice(credited), reason="cancelled")

    found = [queries.current_invoice(r) for r in (none_yet, reissued, credited)]
    orm = [queries._current_invoice(r.pk).first() for r in (none_yet, reissued, credited)]

    assert [f and _values(f) for f in found] == [o and _values(o) for o in orm]
    assert (found[0], found[1].pk, found[2]) == (None, new.pk, None)


def test_a_settled_registration_is_read_again_as_the_orm_reads_it(register):
    registration = register()

    (prepared,) = payments._FRESH.fetch(pk=registration.pk)
    orm = Registration.objects.select_related("event__organiser").get(pk=registration.pk)

    assert _values(prepared) == _values(orm)
    assert _values(prepared.event) == _values(orm.event)
    assert _values(prepared.event.organiser) == _values(orm.event.organiser)


def test_an_unknown_invoice_is_not_found_as_with_the_orm():
    with pytest.raises(Invoice.DoesNotExist):
        queries.invoice_with_lines(987654)


def test_a_query_whose_shape_depends_on_a_value_is_refused():
    def build(pk):
        found = Registration.objects.filter(pk=pk)
        return found.filter(code="X") if pk == 1 else found

    prepared = Prepared(build, samples={"pk": 1}, others={"pk": 2})

    with pytest.raises(ValueError, match="depends on its parameters"):
        prepared.fetch(pk=5)


def test_a_sample_the_sql_never_uses_is_refused():
    prepared = Prepared(
        lambda pk, code: Registration.objects.filter(pk=pk),
        samples={"pk": 1, "code": "A"},
        others={"pk": 2, "code": "B"},
    )

    with pytest.raises(ValueError, match="not in the SQL"):
        prepared.fetch(pk=5, code="C")


def test_reads_fetched_together_are_those_fetched_one_by_one(
    on_postgresql, register, django_assert_num_queries
):
    one, two = register(attendees=2), register(attendees=3)
    today = dt.date.today()
    queries_ = [
        (invoices._ATTENDEES, {"registration": one.pk}),
        (invoices._ATTENDEES, {"registration": two.pk}),
        (invoices._ATTENDEES, {"registration": 987654}),
    ]

    with django_assert_num_queries(1):
        together = fetch_together(*queries_)
    with transaction.atomic():
        locked, attendees = fetch_together(
            (invoices._LOCKED, {"pk": one.pk, "today": today}),
            (invoices._ATTENDEES, {"registration": one.pk}),
        )

    alone = [prepared.fetch(**values) for prepared, values in queries_]
    assert [[_values(a) for a in found] for found in together] == [
        [_values(a) for a in found] for found in alone
    ]
    assert [len(found) for found in together] == [2, 3, 0]
    assert locked[0].pk == one.pk
    assert [_values(a) for a in attendees] == [_values(a) for a in alone[0]]
