"""What one registration costs: the form page, the POST and the confirmation page, counted.

A browser GETs the form, POSTs it and loads the confirmation page; in a rush thousands do
so a minute. Each step has a fixed number of queries (after the first visitor has warmed
the caches), writes no session, and keeps what the confirmation page needs in a signed
cookie.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.common import rows
from goedeburen.common.prepared import readable
from goedeburen.events.models import Event
from goedeburen.payments.models import Payment
from goedeburen.payments.services import issue_invoice
from goedeburen.public.views.registration import LINKS_COOKIE
from goedeburen.registration import queries, services
from goedeburen.registration.models import FormToken, Quota, Registration
from tests.factories import (
    OrganiserBillingFactory,
    QuestionFactory,
    attendee,
    billing,
    booker,
    form_token,
)

from .helpers import form_data, url

pytestmark = pytest.mark.django_db

START = "public:registration.start"


def _book(event, ticket, *, paid=False):
    """Register one attendee of `ticket` through the booking service (billing when paid)."""
    return services.register(
        event,
        booker=booker(),
        attendees=[attendee(ticket)],
        billing=billing() if paid else None,
        form_token=form_token(event),
        language="nl",
    )


def _count(call) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    statements = [readable(q["sql"]) for q in captured.captured_queries]
    return response, statements


def _register_through_the_form(client, event, tickets, **answers):
    data = form_data(client, event, tickets, **answers)
    return client.post(url(START, event.slug), data)


def test_form_page_from_the_cache_costs_two_queries(event, hall, paid):
    Client().get(url(START, event.slug))  # the first visitor renders it

    response, statements = _count(lambda: Client().get(url(START, event.slug)))

    assert response.status_code == 200
    # The event's version, and the seat counters: sold out shows before the form is filled.
    assert len(statements) == 2
    assert "registration_quota" in statements[1]
    assert response.templates == []  # served from the cache, not rendered


def test_cached_form_page_gets_each_visitor_their_own_tokens_and_csrf_cookie(event, hall, paid):
    pages = [Client().get(url(START, event.slug)) for _ in range(2)]

    found = [
        re.findall(r'name="(?:form_token|csrfmiddlewaretoken)" value="([^"]+)"', p.content.decode())
        for p in pages
    ]
    assert [len(tokens) for tokens in found] == [2, 2]
    assert set(found[0]).isdisjoint(found[1])
    assert all("csrftoken" in p.cookies for p in pages)
    assert "slot" not in pages[1].content.decode()


def test_registration_post_is_one_transaction_that_takes_its_seats_last(event, hall, paid):
    client = Client()
    data = form_data(client, event, [paid])

    response, statements = _count(lambda: client.post(url(START, event.slug), data))

    assert response.status_code == 302
    # The event's version; then one transaction (a savepoint inside the test's own). Nothing
    # is read before the form token: ticket types, quotas, questions and settings come from
    # the booking data of the event's version. The registration's own rows come first; the
    # receivers of other apps (mail, tickets, consent records, webhooks) write theirs in the
    # same transaction; the seat counter and the check of the quota's ticket types are last.
    assert statements[0].startswith("SELECT updated FROM events_event")
    assert statements[1].startswith("SAVEPOINT") and statements[-1].startswith("RELEASE")
    writes = [s.split()[0] + " " + s.split()[2] for s in statements if s.startswith("INSERT")]
    assert writes[:4] == [
        'INSERT "registration_formtoken"',
        'INSERT "registration_registration"',
        'INSERT "registration_attendee"',
        'INSERT "common_logentry"',
    ]
    assert statements[2] == next(s for s in statements if s.startswith("INSERT"))
    assert 'INSERT "mail_outgoingmail"' in writes
    # The mail, the hold's release and the reminder before the hold ends.
    assert writes.count('INSERT "django_tasks_database_dbtaskresult"') == 3
    assert statements[-3].startswith('UPDATE "registration_quota" SET "taken"')
    assert statements[-2].startswith("SELECT tickettype_id, quota_id")
    assert sum(s.startswith('UPDATE "registration_quota"') for s in statements) == 1
    assert not any("django_session" in s for s in statements)


def test_registration_writes_no_session(event, hall, paid):
    client = Client()
    response = _register_through_the_form(client, event, [paid])

    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert "sessionid" not in response.cookies
    assert response.cookies[LINKS_COOKIE]["httponly"] is True
    assert response.cookies[LINKS_COOKIE]["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("questions", "invoiced", "expected"), [(False, False, 3), (True, False, 5), (True, True, 5)]
)
def test_confirmation_page_costs_at_most_six_queries(
    event, hall, paid, free, questions, invoiced, expected
):
    # The event's version; the registration with its attendees; their answers and the
    # options chosen (only when the event asks questions); the sums paid and refunded with
    # the invoices, in one query. Ticket types, questions and the payment settings come
    # from the event's cached data.
    answers = {}
    if questions:
        choice = QuestionFactory(event=event, kind="multiple_choice", options=["a", "b"])
        text = QuestionFactory(event=event, label_en="Where from?")
        option = choice.options.first()
        answers = {
            f"attendee-0-question_{choice.pk}": [str(option.pk)],
            f"attendee-1-question_{text.pk}": "Zwolle",
        }
    client = Client()
    response = _register_through_the_form(client, event, [paid, free], **answers)
    registration = Registration.objects.get()
    Payment.objects.create(
        registration=registration,
        provider="bank_transfer",
        amount=Decimal("50.00"),
        state="paid",
    )
    invoice = None
    if invoiced:
        OrganiserBillingFactory(organiser=event.organiser)
        invoice = issue_invoice(registration)
    client.get(response["Location"])  # the payment setup is read once per version

    page, statements = _count(lambda: client.get(response["Location"]))

    assert page.status_code == 200
    assert len(statements) == expected
    html = page.content.decode()
    assert registration.code in html
    assert "€ 125,00" in html and "€ 50,00" in html  # the total and what was paid
    assert ("Zwolle" in html) is questions
    assert invoice is None or f"Invoice {invoice.number}" in html


def test_confirmation_page_needs_the_cookie_of_the_browser_that_registered(event, hall, paid):
    client = Client()
    response = _register_through_the_form(client, event, [paid])

    assert client.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404
    sealed = client.cookies[LINKS_COOKIE].value
    middle = len(sealed) // 2
    forged = Client()
    forged.cookies[LINKS_COOKIE] = (
        sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    )
    assert forged.get(response["Location"]).status_code == 404


def test_confirmation_from_the_cookie_shows_the_same_as_the_manage_page(event, hall, paid, free):
    lunch = QuestionFactory(event=event, kind="single_choice", options=["ja", "nee"])
    client = Client()
    response = _register_through_the_form(
        client,
        event,
        [paid, free],
        **{f"attendee-1-question_{lunch.pk}": str(lunch.options.last().pk)},
    )
    registration = Registration.objects.get()
    token = client.cookies[LINKS_COOKIE].value
    assert token

    fast = queries.registration_for_confirmation(
        event=event, code=registration.code, token=_token_of(client, registration.code)
    )
    general = queries.registration_for_manage(
        event=event, code=registration.code, token=_token_of(client, registration.code)
    )

    def shown(r):
        return [
            (a.pk, a.full_name, a.ticket_type.pk, [x.shown for x in a.answers.all()])
            for a in r.attendees.all()
        ] + [r.total, r.event.pk]

    assert shown(fast) == shown(general)
    assert response.status_code == 302
    assert (
        queries.registration_for_confirmation(event=event, code=registration.code, token="x")
        is None
    )


def _token_of(client, code: str) -> str:
    from django.http import HttpRequest

    from goedeburen.public.views.registration import links_in

    request = HttpRequest()
    request.COOKIES = {LINKS_COOKIE: client.cookies[LINKS_COOKIE].value}
    return links_in(request)[code]


def test_task_rows_are_written_in_the_registration_transaction(event, hall, paid):
    with transaction.atomic():
        registration = _book(event, paid, paid=True)
        # Before the commit: the confirmation mail's task, the hold's release task and the
        # reminder before the hold ends.
        paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
        transaction.set_rollback(True)

    assert registration.pk is not None
    assert paths == [
        "goedeburen.mail.tasks.send_mail",
        "goedeburen.payments.tasks.remind_held_payments",
        "goedeburen.registration.tasks.release_expired_holds",
    ]
    assert DBTaskResult.objects.count() == 0  # rolled back with it


def test_insert_unless_taken_writes_the_row_that_save_writes(event):
    by_save = FormToken(event=event, token="a" * 22)
    by_save.save()
    by_insert = FormToken(event=event, token="b" * 22)
    again = FormToken(event=event, token="b" * 22)

    assert rows.insert_unless_taken(by_insert, unique="token") is True
    assert rows.insert_unless_taken(again, unique="token") is False

    def stored(pk):
        values = FormToken.objects.filter(pk=pk).values().get()
        return {k: v for k, v in values.items() if k not in ("id", "token", "created")}

    assert by_insert.pk is not None and again.pk is None
    assert stored(by_insert.pk) == stored(by_save.pk)
    assert FormToken.objects.get(pk=by_insert.pk).created is not None


def test_registration_inserted_in_one_statement_equals_one_saved_by_the_orm(event, hall, free):
    made = _book(event, free)
    copy = Registration.objects.get(pk=made.pk)
    copy.pk, copy.code, copy.form_token, copy.manage_token_hash = None, "ORMSAVED", None, "h"
    copy.save()

    def stored(pk):
        values = Registration.objects.filter(pk=pk).values().get()
        skip = {"id", "code", "form_token_id", "manage_token_hash", "created", "updated"}
        return {k: v for k, v in values.items() if k not in skip}

    assert stored(made.pk) == stored(copy.pk)


def test_a_clashing_registration_code_is_retried(event, hall, free, monkeypatch):
    from goedeburen.registration import tokens

    _book(event, free)
    taken = Registration.objects.get().code
    codes = iter([taken, taken, "NEWCODE2"])
    monkeypatch.setattr(tokens, "new_code", lambda: next(codes))

    second = _book(event, free)

    assert second.code == "NEWCODE2"
    assert Registration.objects.count() == 2


def test_a_warm_registration_post_reads_only_the_version_the_opt_out_and_its_quotas(
    event, hall, paid
):
    Client().post(url(START, event.slug), form_data(Client(), event, [paid]))  # warms caches
    client = Client()
    data = form_data(client, event, [paid])

    response, statements = _count(lambda: client.post(url(START, event.slug), data))

    assert response.status_code == 302
    # Ticket types, questions, settings, the privacy statement shown and the organiser's
    # webhooks come from caches per version; tickets and consents are written, not read.
    reads = [s.split(" WHERE")[0] for s in statements if s.startswith("SELECT")]
    assert len(reads) == 3, reads
    assert reads[0].startswith("SELECT updated FROM events_event")
    assert '"mail_optout"' in reads[1]
    assert reads[2].startswith("SELECT tickettype_id, quota_id")
    writes = [s.split()[2] for s in statements if s.startswith("INSERT")]
    assert writes.count('"privacy_consentrecord"') == 1 and writes.count('"checkin_ticket"') == 1


def test_confirmation_query_reads_every_field_the_orm_reads(event, hall, paid, free):
    client = Client()
    _register_through_the_form(client, event, [paid, free])
    registration = Registration.objects.get()

    fast = queries.registration_for_confirmation(
        event=event, code=registration.code.lower(), token=_token_of(client, registration.code)
    )

    def fields(instance):
        return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.fields}

    assert fields(fast) == fields(registration)
    assert [fields(a) for a in fast.attendees.all()] == [
        fields(a) for a in registration.attendees.order_by("order", "pk")
    ]
    assert fast._state.adding is False and fast._state.db == "default"
    assert all(a.registration is fast for a in fast.attendees.all())


def test_the_written_out_lock_reads_what_the_orm_lock_reads(event, hall, paid):
    made = _book(event, paid, paid=True)
    made.event.refresh_from_db()  # the current version, as the form's POST has it
    by_orm = (
        Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=made.pk)
    )

    with transaction.atomic():
        locked, extras = queries.locked_registration(made)

    def fields(registration):
        return [getattr(registration, f.attname) for f in Registration._meta.concrete_fields]

    assert fields(locked) == fields(by_orm)
    assert extras == []
    assert locked.event is made.event  # the caller's: the current version
    assert locked.event.updated == by_orm.event.updated


def test_the_written_out_lock_reads_an_older_event_again_and_misses_a_gone_one(event, hall, paid):
    made = _book(event, paid, paid=True)
    Event.objects.filter(pk=event.pk).update(name_nl="Nieuwe naam")  # a newer version
    Event.objects.filter(pk=event.pk).update(updated=timezone.now())
    gone = Registration(pk=made.pk + 1000, event=event)

    with transaction.atomic():
        locked, _ = queries.locked_registration(made)
        with pytest.raises(Registration.DoesNotExist):
            queries.locked_registration(gone)

    assert locked.event is not made.event
    assert locked.event.name_nl == "Nieuwe naam"


def test_cached_form_page_shows_a_ticket_type_changed_since_it_was_kept(event, hall, paid):
    Client().get(url(START, event.slug))  # kept for this version of the event
    paid.name_en = "Full day"
    paid.save()

    page = Client().get(url(START, event.slug)).content.decode()

    assert "Full day" in page
    assert "Participation" not in page


def test_cached_form_page_shows_a_ticket_sold_out_since_it_was_kept(event, hall, paid):
    Client().get(url(START, event.slug))  # kept while seats are left
    Quota.objects.filter(pk=hall.pk).update(taken=hall.size)  # the seat counter says full

    page = Client().get(url(START, event.slug)).content.decode()

    assert "Participation: € 125,00 incl. VAT — sold out, waiting list" in page


def test_the_token_put_in_the_cached_form_page_registers_once(event, hall, paid):
    client = Client()
    Client().get(url(START, event.slug))  # the first visitor renders it
    data = form_data(client, event, [paid], **{"payment-provider": ""})

    first = client.post(url(START, event.slug), data)
    again = client.post(url(START, event.slug), data)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] + "?again=1"  # the same registration
    assert Registration.objects.count() == 1
