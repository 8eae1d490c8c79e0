"""Erasure: a dry-run preview, then everything personal gone from every table and the log."""

import pytest

from goedeburen.checkin.models import Certificate
from goedeburen.common.models import LogEntry
from goedeburen.mail import services as mail_services
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services as payment_services
from goedeburen.payments.enums import ProviderName
from goedeburen.privacy import services
from goedeburen.privacy.enums import RequestState
from goedeburen.privacy.exceptions import PrivacyError
from goedeburen.privacy.models import ConsentRecord, Erasure, ErasureRequest
from goedeburen.privacy.services.export import export_data
from goedeburen.registration import queries as registration_queries
from goedeburen.registration import services as registration_services
from goedeburen.registration.models import Attendee, Registration
from tests import factories

from .conftest import database_text, found_in_database

pytestmark = pytest.mark.django_db

NAMES = ("Zwaantje", "Kluivertsma", "Gerbrandina", "Oosterwold")
EMAILS = ("zwaantje.k@example.net", "gerbrandina@example.net")


@pytest.fixture
def staff(event):
    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, event=None, role="owner")
    return user


def _person(register, event, free_ticket, smtp):
    question = factories.QuestionFactory(event=event, label_nl="Waar werkt u?")
    registration = register(
        free_ticket,
        event=event,
        attendees=[
            factories.attendee(
                free_ticket,
                given_name="Gerbrandina",
                family_name="Oosterwold",
                email="gerbrandina@example.net",
                organisation="Woongroep Oosterwold",
                special_category_consent=True,
                dietary_wishes="halal",
                photo_consent=True,
                answers={question.pk: "bij Oosterwold Wonen"},
            )
        ],
        name="Zwaantje Kluivertsma",
        email="zwaantje.k@example.net",
    )
    attendee = Attendee.objects.get(registration=registration)
    # A change with before/after values in the log, a renewed link, mail that went out.
    registration_services.change_registration(
        registration, by=None, attendees={attendee.pk: {"function": "Bewoner Oosterwold"}}
    )
    registration_services.renew_manage_link(registration)
    mail_services.deliver_due()
    assert len(smtp.messages) == 2
    return Registration.objects.get(pk=registration.pk)


def test_after_erasure_no_table_holds_the_name_or_the_address(
    register, event, free_ticket, smtp, staff
):
    registration = _person(register, event, free_ticket, smtp)
    attendee = Attendee.objects.get(registration=registration)
    # Check-in's part: the certificate holds the name as printed.
    Certificate.objects.create(
        attendee=attendee, event=event, code="GB-TEST-1", name="Gerbrandina Oosterwold", hours=5
    )
    for needle in NAMES + EMAILS:
        assert found_in_database(needle), needle  # the search finds them before
    registration_services.cancel_registration(registration, by=None, reason="Zwaantje kan niet")
    services.ask_erasure(registration)

    services.erase_registration(registration, by=staff)

    text = database_text()
    for needle in (*NAMES, *EMAILS, "Zwaantje kan niet", "halal"):
        assert needle not in text, needle
        assert needle.encode().hex() not in text, needle
    # Through the one change-a-registration use case, without values in its log entry.
    erased = LogEntry.objects.get(action="registration.erased")
    assert erased.data["erasure"] == "all"
    assert Erasure.objects.get().reason == "request"
    assert ErasureRequest.objects.get().state == RequestState.DONE
    # Counts for statistics and the consent records (no personal data in them) stay.
    assert Attendee.objects.filter(registration=registration).count() == 1
    assert ConsentRecord.objects.filter(registration=registration).exists()


def test_erasure_leaves_no_address_in_a_refused_mail_or_its_log_entry(
    register, event, free_ticket, smtp, staff
):
    # The receiving server's reply names the address; the outbox and the log keep it.
    smtp.replies["RCPT"] = "550 5.1.1 <gerbrandina@example.net>: Recipient address rejected"
    registration = register(free_ticket, event=event, email="gerbrandina@example.net")
    mail_services.deliver_due()
    assert LogEntry.objects.filter(action="mail.failed").exists()
    assert found_in_database("gerbrandina@example.net")
    registration_services.cancel_registration(registration, by=None, reason="")

    services.erase_registration(registration, by=staff)

    assert not found_in_database("gerbrandina@example.net")


def test_preview_is_a_dry_run_and_names_what_must_stay(register, event, ticket, staff):
    registration = register(ticket, event=event)
    payment_services.choose_provider(registration, provider=ProviderName.INVOICE)
    before = database_text()

    preview = services.preview_erasure(registration)

    assert database_text() == before
    kept = [line for _, lines in preview.kept for line in lines]
    assert any("7-year duty" in line or "7 jaar" in line for line in kept), kept
    assert any("€ 125,00" in line for line in kept), kept  # the invoice is unpaid
    assert preview.kept_codes == ["invoice_duty", "unpaid_invoice", "still_active"]
    assert preview.blocked  # active, event still to come: cancel first
    with pytest.raises(PrivacyError) as refused:
        services.erase_registration(registration, by=staff)
    assert refused.value.code == "not_erasable"
    assert database_text() == before


def test_erasure_keeps_the_invoice_and_kills_the_manage_link(register, event, ticket, staff):
    registration = register(ticket, event=event)
    token = registration.manage_token
    payment_services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = registration.invoices.get()
    registration_services.cancel_registration(registration, by=staff, reason="")

    services.erase_registration(registration, by=staff)

    kept = registration.invoices.get()  # the 7-year duty: as issued, buyer and all
    assert (kept.pk, kept.buyer_name, kept.total) == (invoice.pk, invoice.buyer_name, invoice.total)
    assert (
        registration_queries.registration_for_manage(
            event=event, code=registration.code, token=token
        )
        is None
    )
    assert not OutgoingMail.objects.filter(registration=registration).exclude(recipient="")
    with pytest.raises(PrivacyError):
        services.erase_registration(registration, by=staff)  # once


def test_the_vat_number_is_in_the_export_and_erased_but_the_invoice_keeps_its_copy(
    register, event, ticket, staff
):
    registration = register(ticket, event=event, vat_number="NL004495445B01")
    payment_services.choose_provider(registration, provider=ProviderName.INVOICE)
    registration_services.cancel_registration(registration, by=staff, reason="")
    exported = export_data(registration)["registration"]["billing_vat_number"]

    services.erase_registration(registration, by=staff)

    assert exported == "NL004495445B01"
    assert Registration.objects.get(pk=registration.pk).billing_vat_number == ""
    invoice = registration.invoices.get(credits=None, kind="invoice")
    assert invoice.buyer_vat_number == "NL004495445B01"  # the 7-year duty: as issued
