import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from goedeburen.common.audit import history
from goedeburen.events.models import EventStatus
from goedeburen.registration import exceptions, services, tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, FormToken, Registration
from tests.factories import (
    AttendeeFactory,
    OpenEventFactory,
    QuotaFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)

pytestmark = pytest.mark.django_db


def _refused(register, *args, **kwargs) -> RegistrationError:
    with pytest.raises(RegistrationError) as refused:
        register(*args, **kwargs)
    return refused.value


def test_register_free_ticket_confirms_at_once(hall, free, register):
    registration = register(free)

    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.hold_until is None


def test_register_paid_ticket_pends_payment_and_holds_for_the_event_hold(
    hall, paid, event, register
):
    RegistrationSettingsFactory(event=event, payment_hold_minutes=45)
    before = timezone.now()

    registration = register(paid)

    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    held = registration.hold_until - before
    assert dt.timedelta(minutes=45) <= held < dt.timedelta(minutes=46)


def test_register_paid_ticket_holds_thirty_minutes_by_default(hall, paid, register):
    before = timezone.now()
    registration = register(paid)
    assert dt.timedelta(minutes=30) <= registration.hold_until - before < dt.timedelta(minutes=31)


def test_register_ticket_that_needs_approval_awaits_it_holding_a_seat(hall, resident, register):
    before = timezone.now()

    registration = register(resident)

    assert registration.status == RegistrationStatus.AWAITING_APPROVAL
    assert dt.timedelta(days=7) <= registration.hold_until - before < dt.timedelta(days=7, hours=1)


def test_register_paid_and_approval_tickets_together_awaits_approval(
    hall, paid, resident, register
):
    assert register(paid, resident).status == RegistrationStatus.AWAITING_APPROVAL


def test_register_stores_what_each_ticket_cost_and_its_vat(hall, paid, free, register):
    registration = register(paid, free)
    paid.price = Decimal("150.00")
    paid.save()

    attendees = list(registration.attendees.order_by("order"))
    assert [a.price for a in attendees] == [Decimal("125.00"), Decimal("0.00")]
    assert attendees[0].vat == Decimal("21.69")
    assert registration.total == Decimal("125.00")


def test_register_gives_short_unambiguous_code_and_hashed_manage_token(hall, free, register):
    registration = register(free)

    assert len(registration.code) == 8
    assert set(registration.code) <= set(tokens.CODE_ALPHABET)
    assert not set(registration.code) & set("0O1IL")
    assert len(registration.manage_token) >= 43  # 32 random bytes, URL-safe base64
    stored = Registration.objects.get(pk=registration.pk)
    assert stored.manage_token_hash == tokens.hash_manage_token(registration.manage_token)
    assert registration.manage_token not in stored.manage_token_hash


def test_register_logs_the_change_without_personal_data(hall, paid, register):
    details = attendee(paid, special_category_consent=True, dietary_wishes="halal")

    registration = register(attendees=[details])

    [entry] = history(registration)
    assert entry.action == "registration.created"
    assert entry.data["status"] == "pending_payment"
    assert entry.data["tickets"] == {"Deelname": 1}
    assert entry.data["total"] == "125.00"
    assert "halal" not in str(entry.data)


def test_register_refuses_when_quota_is_full_and_saves_nothing(hall, free, register):
    register(free, free, free)

    with translation.override("en"):
        refused = _refused(register, free)

    assert refused.code == "sold_out"
    assert str(refused.message) == "Sorry, the ticket “Free” is sold out."
    assert Registration.objects.count() == 1
    assert FormToken.objects.count() == 1


def test_register_refuses_a_group_larger_than_the_seats_left(hall, free, register):
    register(free)

    with translation.override("en"):
        refused = _refused(register, free, free, free)

    assert refused.code == "sold_out"
    assert str(refused.message) == (
        "Not enough places are left for the ticket “Free”: 2 left, 3 asked for."
    )
    assert Attendee.objects.count() == 1


def test_shared_quota_counts_every_ticket_type(hall, paid, free, resident, register):
    register(paid)
    register(free)
    register(resident)

    assert _refused(register, free).code == "sold_out"


def test_ticket_in_two_quotas_needs_room_in_both(event, free, register):
    QuotaFactory(event=event, size=10, ticket_types=[free])
    QuotaFactory(event=event, size=1, ticket_types=[free])
    register(free)

    assert _refused(register, free).code == "sold_out"


def test_cancelled_registration_frees_its_seats(hall, free, register):
    first = register(free, free, free)
    services.cancel_registration(first, by=None, reason="test")

    assert register(free).status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    "status",
    [EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.ARCHIVED],
)
def test_register_refuses_event_not_open(hall, free, event, register, status):
    event.status = status
    event.save()

    assert _refused(register, free).code == "closed"
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"visible": False},
        {"sale_start": timezone.now() + dt.timedelta(days=1)},
        {"sale_end": timezone.now() - dt.timedelta(seconds=1)},
    ],
    ids=["hidden", "not-yet-on-sale", "sale-ended"],
)
def test_register_refuses_ticket_not_on_sale(hall, free, register, change):
    for name, value in change.items():
        setattr(free, name, value)
    free.save()

    assert _refused(register, free).code == "unavailable"


def test_register_refuses_ticket_of_another_event(hall, register):
    other = TicketTypeFactory(event=OpenEventFactory())
    QuotaFactory(event=other.event, ticket_types=[other])

    assert _refused(register, other).code == "unavailable"


def test_register_refuses_ticket_outside_every_quota(event, register):
    loose = TicketTypeFactory(event=event)

    assert _refused(register, loose).code == "unavailable"


def test_register_refuses_more_of_a_ticket_than_allowed(hall, free, register):
    free.max_per_registration = 2
    free.save()

    assert _refused(register, free, free, free).code == "max_per_registration"


def test_register_refuses_fewer_of_a_ticket_than_its_minimum(hall, free, register, english):
    free.min_per_registration = 2
    free.save()

    refused = _refused(register, free)

    assert (refused.code, str(refused.message)) == (
        "min_per_registration",
        "With the ticket “Free” you register at least 2 people. Add people or choose another "
        "ticket.",
    )
    assert Registration.objects.count() == 0
    assert register(free, free).attendees.count() == 2


def test_register_refuses_no_attendees(hall, register):
    assert _refused(register).code == "no_attendees"


def test_register_refuses_more_attendees_than_one_registration_holds(event, free, register):
    QuotaFactory(event=event, size=100, ticket_types=[free])
    free.max_per_registration = 50
    free.save()

    assert _refused(register, *[free] * 21).code == "too_many"


def test_register_refuses_special_category_data_without_consent(hall, free, register):
    details = attendee(free, accessibility_needs="rolstoel", special_category_consent=False)

    assert _refused(register, attendees=[details]).code == "consent_missing"
    assert Attendee.objects.count() == 0


def test_register_keeps_special_category_data_with_consent(hall, free, register):
    details = attendee(free, dietary_wishes="vegan", special_category_consent=True)

    registration = register(attendees=[details])

    assert registration.attendees.get().dietary_wishes == "vegan"


@pytest.mark.parametrize(
    "missing", [{"organisation": ""}, {"address": "  "}], ids=["organisation", "address"]
)
def test_register_paid_ticket_needs_billing_details(hall, paid, register, missing):
    assert _refused(register, paid, billing=billing(**missing)).code == "billing_missing"


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("Lindelaan 1\nUtrecht", ""),  # Dutch, but without its postcode
        ("Rue de la Loi 16\n1000 Bruxelles", ""),  # abroad, but without its country
        ("Lindelaan 1\n3511 AA Utrecht", "NL"),
        ("Rue de la Loi 16\n1000 Bruxelles\nBelgique", "BE"),
        ("Sharia Baghdad 1\nDamascus\nSyrië", "SY"),  # any country, in Dutch too
    ],
)
def test_register_paid_ticket_needs_an_address_the_invoice_can_name(
    hall, paid, register, address, country
):
    if not country:
        refused = _refused(register, paid, billing=billing(address=address))
        assert (refused.code, "postcode" in str(refused.message)) == ("billing_missing", True)
        assert Registration.objects.count() == 0
    else:
        assert register(paid, billing=billing(address=address)).billing_address == address


def test_register_paid_ticket_needs_po_number_when_the_event_says_so(hall, paid, event, register):
    RegistrationSettingsFactory(event=event, po_number_required=True)

    assert _refused(register, paid).code == "billing_missing"
    assert register(paid, billing=billing(po_number="PO-1")).po_number == "PO-1"


@pytest.mark.parametrize(
    ("numbers", "accepted"),
    [
        ({}, False),
        ({"org_id": "  "}, False),
        ({"org_id": "00000001003214345000"}, True),
        ({"org_id": "41178444"}, True),
        ({"peppol_id": "0208:0316597904"}, True),
    ],
)
def test_register_einvoice_needs_an_organisation_number_or_peppol_id(
    hall, paid, register, numbers, accepted
):
    # Without either the e-invoice has no buyer address and fails PEPPOL-EN16931-R010.
    asked = billing(organisation="Zoë Şahin-Łukasiewicz", einvoice=True, **numbers)

    if not accepted:
        refused = _refused(register, paid, billing=asked)
        assert (refused.code, refused.message) == (
            "billing_missing",
            exceptions.EINVOICE_ADDRESS_MISSING,
        )
        assert Registration.objects.count() == 0
    else:
        assert register(paid, billing=asked).billing_einvoice is True


def test_change_to_einvoice_without_a_number_is_refused_and_changes_nothing(
    hall, paid, register, staff
):
    registration = register(paid, billing=billing(org_id="41178444", einvoice=True))

    for details in [{"billing_org_id": ""}, {"billing_org_id": "", "billing_peppol_id": ""}]:
        with pytest.raises(RegistrationError) as refused:
            services.change_registration(registration, by=staff, details=details)

        assert refused.value.message == exceptions.EINVOICE_ADDRESS_MISSING
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.billing_org_id, stored.billing_einvoice) == ("41178444", True)
    assert services.change_registration(
        registration, by=staff, details={"billing_org_id": "", "billing_einvoice": False}
    )


@pytest.mark.parametrize("peppol_id", ["9999:123", "0208:0316597905", "0190:123"])
def test_register_and_change_refuse_a_peppol_id_the_peppol_rules_refuse(
    hall, paid, register, staff, peppol_id, english
):
    refused = _refused(register, paid, billing=billing(peppol_id=peppol_id))
    assert (refused.code, str(refused.message).startswith("Peppol ID: ")) == ("invalid", True)
    registration = register(paid, billing=billing(peppol_id="0208:0316597904"))

    with pytest.raises(RegistrationError) as changed:
        services.change_registration(
            registration, by=staff, details={"billing_peppol_id": peppol_id}
        )

    assert changed.value.code == "invalid"
    assert Registration.objects.get().billing_peppol_id == "0208:0316597904"


def test_register_free_ticket_stores_no_billing_details(hall, free, register):
    registration = register(free, billing=billing(po_number="PO-1"))

    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.billing_organisation, stored.billing_address, stored.po_number) == ("", "", "")


def test_register_refuses_field_the_model_does_not_allow(hall, free, register):
    refused = _refused(register, free, booker=booker(email="not an address"))

    assert refused.code == "invalid"
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("token", ["", "garbage", "WzEsIngiXQ:1abc:forged"])
def test_register_refuses_unknown_or_forged_form_token(hall, free, register, token):
    assert _refused(register, free, form_token=token).code == "form_expired"


def test_register_refuses_form_token_of_another_event(hall, free, register):
    other_token = form_token(OpenEventFactory())

    assert _refused(register, free, form_token=other_token).code == "form_expired"


def test_same_form_token_twice_gives_the_same_registration(hall, free, event, register):
    token = form_token(event)

    first = register(free, form_token=token)
    second = register(free, free, form_token=token)

    assert second.pk == first.pk
    # The same link again (derived from the form token): a double click never loses it.
    assert second.manage_token == first.manage_token
    assert second.sent_before and not getattr(first, "sent_before", False)
    assert Registration.objects.count() == 1
    assert Attendee.objects.count() == 1


def test_a_form_sent_again_after_the_link_was_replaced_gives_no_link(hall, free, event, register):
    token = form_token(event)
    first = register(free, form_token=token)
    _new_token, new_hash = tokens.new_manage_token()
    Registration.objects.filter(pk=first.pk).update(manage_token_hash=new_hash)

    second = register(free, form_token=token)

    assert second.pk == first.pk
    assert second.manage_token is None


def test_refused_form_token_can_be_sent_again(hall, free, event, register):
    token = form_token(event)
    register(free, free, free)
    assert _refused(register, free, form_token=token).code == "sold_out"
    for registration in Registration.objects.all():
        services.cancel_registration(registration, by=None, reason="test")

    assert register(free, form_token=token).status == RegistrationStatus.CONFIRMED


def test_expired_hold_does_not_take_a_seat(hall, free, register):
    held = RegistrationFactory(
        event=hall.event,
        status=RegistrationStatus.PENDING_PAYMENT,
        hold_until=timezone.now() - dt.timedelta(seconds=1),
    )
    AttendeeFactory.create_batch(3, registration=held, ticket_type=free)

    assert register(free).status == RegistrationStatus.CONFIRMED


def test_running_hold_takes_a_seat(hall, free, register):
    held = RegistrationFactory(
        event=hall.event,
        status=RegistrationStatus.AWAITING_APPROVAL,
        hold_until=timezone.now() + dt.timedelta(minutes=1),
    )
    AttendeeFactory.create_batch(3, registration=held, ticket_type=free)

    assert _refused(register, free).code == "sold_out"


def test_register_refuses_needs_longer_than_the_model_allows(hall, free, register):
    details = attendee(free, special_category_consent=True, accessibility_needs="x" * 501)

    assert _refused(register, attendees=[details]).code == "invalid"
    assert Attendee.objects.count() == 0


def test_a_ticket_type_added_after_the_event_was_read_can_be_booked(event, hall, free, register):
    register(free)  # the booking data of the event's version as read is cached now
    added = TicketTypeFactory(event=event, price=0)
    QuotaFactory(event=event, size=5, ticket_types=[added])

    registration = register(added, event=event)  # the same, older Event object

    assert registration.status == RegistrationStatus.CONFIRMED


def test_register_stores_the_buyers_vat_number(hall, paid, register):
    registration = register(paid, billing=billing(vat_number="BE0316597904"))

    assert Registration.objects.get(pk=registration.pk).billing_vat_number == "BE0316597904"


@pytest.mark.parametrize(
    "vat_number",
    [
        "NL004495446B01",  # a wrong check digit
        "004495445B01",  # no country code
        "GB980780684",  # valid, but not in the EU
        "nl 0044.95.445 b01",  # valid, but not tidied: only compact numbers are stored
    ],
)
def test_register_and_change_refuse_a_vat_number_that_is_not_a_valid_eu_one(
    hall, paid, register, staff, vat_number, english
):
    refused = _refused(register, paid, billing=billing(vat_number=vat_number))
    assert (refused.code, str(refused.message).startswith("VAT number: ")) == ("invalid", True)
    assert Registration.objects.count() == 0
    registration = register(paid, billing=billing(vat_number="NL004495445B01"))
    logged = len(history(registration))

    with pytest.raises(RegistrationError) as changed:
        services.change_registration(
            registration, by=staff, details={"billing_vat_number": vat_number}
        )

    assert changed.value.code == "invalid"
    assert Registration.objects.get().billing_vat_number == "NL004495445B01"
    assert len(history(registration)) == logged


def test_change_of_the_vat_number_is_logged_like_the_other_billing_details(
    hall, paid, register, staff
):
    registration = register(paid, billing=billing(vat_number="NL004495445B01"))

    change_set = services.change_registration(
        registration, by=staff, details={"billing_vat_number": "BE0316597904"}
    )

    assert change_set == {
        "changes": {"billing_vat_number": ["NL004495445B01", "BE0316597904"]},
        "attendees": [],
    }
    entry = history(registration)[0]
    assert (entry.action, entry.data) == ("registration.changed", change_set)
    assert Registration.objects.get().billing_vat_number == "BE0316597904"


def test_register_free_ticket_stores_no_vat_number(hall, free, register):
    registration = register(free, billing=billing(vat_number="NL004495445B01"))

    assert Registration.objects.get(pk=registration.pk).billing_vat_number == ""
