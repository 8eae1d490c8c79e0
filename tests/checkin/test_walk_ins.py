"""Walk-ins go through the registration service: quotas hold, then check-in at once."""

import pytest
from defusedxml.ElementTree import fromstring
from django import forms
from django.urls import reverse
from django.utils.translation import gettext

from goedeburen.checkin import services
from goedeburen.checkin.exceptions import CheckinError
from goedeburen.checkin.models import CheckIn
from goedeburen.events.models import EventStatus
from goedeburen.payments import queries as payment_queries
from goedeburen.payments.models import Payment
from goedeburen.payments.ubl import render_ubl
from goedeburen.public.forms.registration import BillingForm
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.factories import OrganiserBillingFactory, QuotaFactory, form_token
from tests.payments.test_ubl import NS as UBL_NS

from .conftest import staff

pytestmark = pytest.mark.django_db

REQUIRED = forms.Field.default_error_messages["required"]


def _walk_in(event, ticket_type, user, **values):
    return services.register_walk_in(
        event,
        walk_in=services.WalkIn(ticket_type=ticket_type, given_name="Wim", **values),
        form_token=form_token(event),
        staff=staff(user, door="Hoofdingang"),
        language="nl",
    )


def test_walk_in_is_registered_checked_in_and_confirmed(event, hall, ticket, ingrid):
    event.status = EventStatus.CLOSED
    event.save()

    attendee = _walk_in(event, ticket, ingrid, organisation="Portaal")

    assert attendee.registration.status == RegistrationStatus.CONFIRMED
    check_in = CheckIn.objects.get(attendee=attendee)
    assert (check_in.door, check_in.by, check_in.session) == ("Hoofdingang", ingrid, None)


def test_walk_in_needs_not_meet_a_group_tickets_minimum(event, hall, ticket, ingrid):
    ticket.min_per_registration = 3
    ticket.save()

    attendee = _walk_in(event, ticket, ingrid)

    assert attendee.registration.status == RegistrationStatus.CONFIRMED


def test_walk_in_cannot_take_a_seat_the_quota_does_not_have(event, ticket, ingrid, register):
    QuotaFactory(event=event, size=1, ticket_types=[ticket])
    register()

    with pytest.raises(CheckinError) as refused:
        _walk_in(event, ticket, ingrid)

    assert refused.value.code == "walk_in"
    assert Registration.objects.count() == 1
    assert CheckIn.objects.count() == 0


def test_walk_in_paid_at_the_door_records_the_payment(event, hall, paid, ingrid):
    OrganiserBillingFactory(organiser=event.organiser, address="Beneluxlaan 9\n3527 HT Utrecht")

    attendee = _walk_in(event, paid, ingrid, invoice_address="Lindelaan 1\n3511 AA Utrecht")

    attendee.registration.refresh_from_db()
    assert attendee.registration.status == RegistrationStatus.CONFIRMED
    assert [str(p.amount) for p in Payment.objects.filter(registration=attendee.registration)] == [
        "125.00"
    ]
    assert CheckIn.objects.filter(attendee=attendee).count() == 1


def test_walk_in_on_a_paid_ticket_without_an_address_is_refused_and_nothing_stays(
    event, hall, paid, ingrid
):
    with pytest.raises(CheckinError):
        _walk_in(event, paid, ingrid)

    assert (Registration.objects.count(), CheckIn.objects.count()) == (0, 0)


def test_walk_in_form_posted_twice_registers_once(client, event, hall, ticket, ingrid):
    client.force_login(ingrid)
    path = reverse("backoffice:checkin.walk_in", kwargs={"event": event.slug})
    data = {
        "ticket_type": ticket.pk,
        "given_name": "Wim",
        "payment": "paid",
        "form_token": form_token(event),
    }

    responses = [client.post(path, data) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert (Registration.objects.count(), CheckIn.objects.count()) == (1, 1)


def test_walk_in_form_with_bad_input_changes_nothing(client, event, hall, ticket, ingrid):
    client.force_login(ingrid)

    response = client.post(
        reverse("backoffice:checkin.walk_in", kwargs={"event": event.slug}),
        {"ticket_type": "999999", "given_name": "", "form_token": "x"},
    )

    assert response.status_code == 200
    assert "utrecht-form-field--invalid" in response.content.decode()
    assert Registration.objects.count() == 0


def test_walk_in_form_with_a_nul_byte_in_the_door_answers_400_and_changes_nothing(
    client, event, hall, ticket, ingrid
):
    # PostgreSQL cannot store a NUL byte; no page of ours sends one.
    client.force_login(ingrid)
    data = {
        "ticket_type": ticket.pk,
        "given_name": "Wim",
        "payment": "paid",
        "form_token": form_token(event),
        "door": "Hal\x00",
    }

    response = client.post(_walk_in_path(event), data)

    assert response.status_code == 400
    assert (Registration.objects.count(), CheckIn.objects.count()) == (0, 0)


def _walk_in_path(event) -> str:
    return reverse("backoffice:checkin.walk_in", kwargs={"event": event.slug})


def test_walk_in_form_stores_typed_text_tidied_for_badge_and_invoice(
    client, event, hall, paid, ingrid
):
    OrganiserBillingFactory(organiser=event.organiser, address="Beneluxlaan 9\n3527 HT Utrecht")
    client.force_login(ingrid)
    data = {
        "ticket_type": paid.pk,
        "given_name": "\ufeffZoe\u0308\u0007",
        "family_name": "Şahin\r\nŁukasiewicz",
        "organisation": "\x1b[31mPortaal\x1b[0m",
        "payment": "paid",
        "invoice_address": "Lindelaan 1\x07\r\n\r\n\t3511  AA Utrecht",
        "form_token": form_token(event),
    }

    response = client.post(
        reverse("backoffice:checkin.walk_in", kwargs={"event": event.slug}), data
    )

    assert response.status_code == 200
    registration = Registration.objects.get()
    attendee = registration.attendees.get()
    assert (attendee.given_name, attendee.family_name, attendee.organisation) == (
        "Zoë",
        "Şahin Łukasiewicz",
        "[31mPortaal[0m",
    )
    assert registration.billing_address == "Lindelaan 1\n3511 AA Utrecht"


def test_walk_in_form_with_a_name_that_tidies_to_nothing_asks_for_it(
    client, event, hall, ticket, ingrid
):
    client.force_login(ingrid)
    data = {
        "ticket_type": ticket.pk,
        "given_name": "\ufeff\u0007\r\n",
        "payment": "paid",
        "form_token": form_token(event),
    }

    response = client.post(
        reverse("backoffice:checkin.walk_in", kwargs={"event": event.slug}), data
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"given_name": [gettext(REQUIRED)]}
    assert (Registration.objects.count(), CheckIn.objects.count()) == (0, 0)


def _invoiced_later(event, ticket, vat_number: str, payment: str = "invoice") -> dict:
    """Return the walk-in form as sent for a paid ticket invoiced afterwards (or paid now)."""
    return {
        "ticket_type": ticket.pk,
        "given_name": "Wim",
        "organisation": "Woonstichting De Linde",
        "payment": payment,
        "invoice_address": "Lindelaan 1\n3511 AA Utrecht",
        "vat_number": vat_number,
        "form_token": form_token(event),
    }


@pytest.mark.parametrize("payment", ["invoice", "paid"])
def test_walk_in_paid_by_invoice_afterwards_names_its_vat_number_on_the_invoice(
    client, event, hall, paid, ingrid, payment
):
    # Typed as people write it; stored, printed and sent in the e-invoice in compact form.
    # Paid at the door too: that payment is invoiced at once (`settle_registration`), so
    # the form rightly asks for the VAT number then as well.
    OrganiserBillingFactory(organiser=event.organiser, address="Beneluxlaan 9\n3527 HT Utrecht")
    client.force_login(ingrid)

    response = client.post(
        _walk_in_path(event), _invoiced_later(event, paid, "nl 0044.95445.B01", payment)
    )

    assert response.status_code == 200
    registration = Registration.objects.get()
    assert registration.billing_vat_number == "NL004495445B01"
    invoice = payment_queries.current_invoice(registration)
    assert invoice.buyer_vat_number == "NL004495445B01"
    ubl = render_ubl(payment_queries.invoice_with_lines(invoice.pk))
    buyer = fromstring(ubl).find("cac:AccountingCustomerParty", UBL_NS)
    assert buyer.findtext(".//cac:PartyTaxScheme/cbc:CompanyID", namespaces=UBL_NS) == (
        "NL004495445B01"
    )


@pytest.mark.parametrize("typed", ["NL123", "123456789B01", "US123456789"])
def test_walk_in_form_refuses_a_wrong_vat_number_as_the_public_form_does(
    client, event, hall, paid, ingrid, typed
):
    client.force_login(ingrid)

    response = client.post(_walk_in_path(event), _invoiced_later(event, paid, typed))
    public = BillingForm(data={"vat_number": typed}, payable=True, po_number_required=False)
    public.is_valid()

    assert response.status_code == 200
    assert response.context["form"].errors == {"vat_number": public.errors["vat_number"]}
    assert (Registration.objects.count(), CheckIn.objects.count()) == (0, 0)
