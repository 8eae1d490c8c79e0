"""The retention job erases exactly what is due, keeps invoices, and a second run does nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Event
from goedeburen.payments import queries as payment_queries
from goedeburen.payments import services as payment_services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice, PaymentSettings
from goedeburen.payments.pdf import render_invoice
from goedeburen.privacy import services
from goedeburen.privacy.models import PrivacySettings
from goedeburen.registration.models import Answer, Attendee, Registration
from tests import factories
from tests.factories import OrganiserBillingFactory

from .conftest import database_text, days_ago

pytestmark = pytest.mark.django_db


def _event_with_a_registration(register, *, name: str, days: int, settings: dict | None = None):
    event = factories.OpenEventFactory(name_nl=f"Bijeenkomst {name}")
    OrganiserBillingFactory(organiser=event.organiser)
    PaymentSettings.objects.create(event=event)
    ticket = factories.TicketTypeFactory(event=event, price=Decimal("125.00"))
    factories.QuotaFactory(event=event, size=10, ticket_types=[ticket])
    diet = factories.QuestionFactory(event=event, label_nl="Allergieën", special_category=True)
    lunch = factories.QuestionFactory(event=event, label_nl="Welke workshop?")
    if settings:
        PrivacySettings.objects.create(event=event, **settings)
    registration = register(
        event=event,
        attendees=[
            factories.attendee(
                ticket,
                given_name=f"Ada{name}",
                family_name="Vries",
                email=f"ada{name.lower()}@example.org",
                special_category_consent=True,
                dietary_wishes="glutenvrij",
                accessibility_needs="rolstoel",
                answers={diet.pk: "noten", lunch.pk: "de derde"},
            )
        ],
        name=f"Bea{name}",
        email=f"bea{name.lower()}@example.org",
    )
    payment_services.choose_provider(registration, provider=ProviderName.INVOICE)
    Event.objects.filter(pk=event.pk).update(date=days_ago(days))
    return Registration.objects.get(pk=registration.pk)


def _state():
    """Everything the job may touch, as comparable values."""
    return (
        sorted(
            Attendee.objects.values_list(
                "given_name", "email", "organisation", "dietary_wishes", "accessibility_needs"
            )
        ),
        sorted(Registration.objects.values_list("booker_name", "email", "billing_address")),
        sorted(Answer.objects.values_list("attendee__registration__event__name_nl", "value")),
        LogEntry.objects.count(),
        database_text(),
    )


def test_retention_erases_exactly_what_is_due_and_a_second_run_changes_nothing(register):
    recent = _event_with_a_registration(register, name="Recent", days=10)
    past_n = _event_with_a_registration(register, name="Maand", days=40)
    custom = _event_with_a_registration(
        register, name="Kort", days=8, settings={"special_category_days": 7}
    )
    old = _event_with_a_registration(register, name="Oud", days=800)
    invoice = Invoice.objects.get(registration=old)
    pdf_before = PdfReader(
        io.BytesIO(render_invoice(payment_queries.invoice_with_lines(invoice.pk)))
    )

    report = services.apply_retention()

    def attendee(registration):
        return Attendee.objects.get(registration=registration)

    # Within N days: everything stays.
    kept = attendee(recent)
    assert (kept.dietary_wishes, kept.accessibility_needs) == ("glutenvrij", "rolstoel")
    assert sorted(Answer.objects.filter(attendee=kept).values_list("value", flat=True)) == [
        "de derde",
        "noten",
    ]
    # Past N days (30 by default, 7 where set): only the special-category data goes.
    for registration in (past_n, custom):
        erased = attendee(registration)
        assert (erased.dietary_wishes, erased.accessibility_needs) == ("", "")
        assert list(Answer.objects.filter(attendee=erased).values_list("value", flat=True)) == [
            "de derde"
        ]
        assert erased.given_name.startswith("Ada") and erased.email
        assert Registration.objects.get(pk=registration.pk).booker_name.startswith("Bea")
    # Past M months: anonymised; the counts stay.
    gone = attendee(old)
    assert (gone.given_name, gone.family_name, gone.email) == ("—", "", "")
    assert gone.role and gone.ticket_type_id
    assert Answer.objects.filter(attendee=gone).count() == 0
    anonymous = Registration.objects.get(pk=old.pk)
    assert (anonymous.booker_name, anonymous.email, anonymous.billing_address) == ("—", "", "")
    assert Attendee.objects.filter(registration__event=old.event).count() == 1
    # The invoice is untouched, its PDF still renders the same.
    assert Invoice.objects.get(pk=invoice.pk).buyer_name == invoice.buyer_name
    pdf_after = PdfReader(
        io.BytesIO(render_invoice(payment_queries.invoice_with_lines(invoice.pk)))
    )
    assert pdf_after.pages[0].extract_text() == pdf_before.pages[0].extract_text()
    # The run says what it erased.
    assert sorted((event, what) for event, what, _ in report.lines) == sorted(
        [
            (str(past_n.event), "special_category"),
            (str(custom.event), "special_category"),
            (str(old.event), "special_category"),
            (str(old.event), "registrations"),
        ]
    )
    assert ("Bijeenkomst Maand", "special_category", 1) in report.lines

    before = _state()
    second = services.apply_retention()
    assert (second.lines, _state()) == ([], before)


def test_invoices_go_after_the_seven_year_duty(register):
    old = _event_with_a_registration(register, name="Heeloud", days=9 * 365)
    invoice = Invoice.objects.get(registration=old)
    # Issued today; an issued invoice refuses every update, so its year moves back in SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_invoice SET year = %s WHERE id = %s",
            [dt.date.today().year - 8, invoice.pk],
        )

    report = services.apply_retention()

    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert ("", "invoices", 1) in report.lines
    assert services.apply_retention().lines == []


def test_command_reports_what_it_erased(register):
    _event_with_a_registration(register, name="Maand", days=40)
    out = io.StringIO()

    call_command("apply_retention", stdout=out)
    call_command("apply_retention", stdout=(second := io.StringIO()))

    assert out.getvalue() == "Bijeenkomst Maand: special_category 1\n"
    assert second.getvalue() == "Er was niets te wissen.\n"


def test_the_daily_run_keeps_one_chain_however_often_it_is_started(
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    from goedeburen.privacy import tasks
    from goedeburen.privacy.models import DailyRun

    def next_runs() -> int:
        return DBTaskResult.objects.filter(
            task_path="goedeburen.privacy.tasks.daily_retention"
        ).count()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.daily_retention.call()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.daily_retention.call()  # a second chain, started by mistake, ends here
        tasks.start_daily_retention()  # the worker starting again: a run is due later

    assert next_runs() == 1
    assert DailyRun.objects.get().next_run == tasks.next_night(timezone.now())


def test_retention_empties_the_server_reply_of_a_mail_no_registration_holds():
    # A mailing's mail to an address the server refused: its reply names the address.
    mail = factories.OutgoingMailFactory(
        recipient="oud@example.org",
        state="failed",
        last_error="550 5.1.1 <oud@example.org>: Recipient address rejected",
    )
    Event.objects.filter(pk=mail.event_id).update(date=days_ago(800))

    services.apply_retention()

    mail.refresh_from_db()
    assert (mail.recipient, mail.last_error) == ("", "")
