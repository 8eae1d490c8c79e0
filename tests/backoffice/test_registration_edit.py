"""Editing a registration in the back office: saved with history, or refused with nothing saved."""

import pytest
from django import forms
from django.utils.translation import gettext

from goedeburen.common.addresses import NO_COUNTRY
from goedeburen.common.models import LogEntry
from goedeburen.registration import signals
from goedeburen.registration.enums import AttendingRole
from goedeburen.registration.exceptions import (
    BILLING_MISSING,
    EINVOICE_ADDRESS_MISSING,
    RegistrationError,
)
from goedeburen.registration.models import Answer, Attendee, Registration
from goedeburen.registration.peppol import UNKNOWN_SCHEME
from goedeburen.registration.services import change_registration, editing
from tests.backoffice.conftest import url
from tests.factories import AttendeeFactory, QuestionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
# A byte order mark, a bell, a Windows line break and a decomposed "ë" (e + diaeresis).
DIRTY_NAME = "\ufeffZoe\u0308\u0007 Şahin\r\nŁukasiewicz"
REQUIRED = forms.Field.default_error_messages["required"]


@pytest.fixture
def booking(world):
    """The world's registration with billing details, as a paid booking has them."""
    registration = world.registration
    registration.billing_organisation = "Woonstichting De Linde"
    registration.billing_address = "Lindelaan 1\n3511 AA Utrecht"
    registration.save()
    return registration


def _data(world, **overrides) -> dict:
    prefix = f"attendee-{world.attendee.pk}-"
    data = {
        "booker_name": "Bea Boeker",
        "email": "bea@example.org",
        "billing_organisation": "Woonstichting De Linde",
        "billing_address": "Lindelaan 1\n3511 AA Utrecht",
        f"{prefix}given_name": "Ada",
        f"{prefix}family_name": "de Vries",
        f"{prefix}role": AttendingRole.OTHER,
        f"{prefix}badge_name": "full",
    }
    data.update({key.replace("attendee-", prefix, 1): v for key, v in overrides.items()})
    return data


def _state() -> tuple:
    return (
        list(Registration.objects.order_by("pk").values()),
        list(Attendee.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )


def test_edit_saves_logs_and_signals(owner_client, world, booking):
    received = []

    def receiver(sender, registration, by, **kwargs):
        received.append((registration.pk, by))

    signals.registration_changed.connect(receiver)
    try:
        response = owner_client.post(
            url("registration.update", world),
            _data(world, booker_name="Bea Bakker", **{"attendee-organisation": "Gemeente"}),
        )
    finally:
        signals.registration_changed.disconnect(receiver)

    assert response.status_code == 302
    assert response.url == url("registration.detail", world)
    booking.refresh_from_db()
    world.attendee.refresh_from_db()
    assert (booking.booker_name, world.attendee.organisation) == ("Bea Bakker", "Gemeente")
    assert received == [(booking.pk, world.owner)]
    entry = LogEntry.objects.get(action="registration.changed")
    assert entry.actor == world.owner
    assert entry.data == {
        "changes": {"booker_name": ["Bea Boeker", "Bea Bakker"]},
        "attendees": [
            {
                "attendee": world.attendee.pk,
                "name": "Ada de Vries",
                "changes": {"organisation": ["", "Gemeente"]},
                "answers": {},
            }
        ],
    }


def test_history_on_detail_shows_the_edit(owner_client, world, booking):
    owner_client.post(url("registration.update", world), _data(world, booker_name="Bea Bakker"))

    response = owner_client.get(url("registration.detail", world))

    (entry, text), *_ = response.context["history"]
    assert entry.actor == world.owner
    assert "Bea Boeker" in text
    assert "Bea Bakker" in text
    assert world.owner.get_username() in response.content.decode()


def test_edit_without_changes_logs_nothing(owner_client, world, booking):
    response = owner_client.post(url("registration.update", world), _data(world))
    assert response.status_code == 302
    assert LogEntry.objects.filter(event=world.event).count() == 0


def test_script_in_a_name_is_stored_as_text_and_shown_escaped(owner_client, world, booking):
    owner_client.post(url("registration.update", world), _data(world, booker_name=SCRIPT))

    html = owner_client.get(url("registration.detail", world)).content.decode()

    booking.refresh_from_db()
    assert booking.booker_name == SCRIPT
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("booker_name", ""),
        ("booker_name", "x" * 201),
        ("booker_name", "a\x00b"),
        ("email", ""),
        ("email", "not-an-address"),
        ("email", SCRIPT),
        ("invoice_email", "12345"),
        ("billing_address", "x" * 501),
        ("po_number", "x" * 51),
        ("attendee-given_name", ""),
        ("attendee-given_name", "x" * 101),
        ("attendee-email", SCRIPT),
        ("attendee-role", "abc"),
        ("attendee-role", ""),
        ("attendee-badge_name", "abc"),
        ("attendee-dietary_wishes", "x" * 501),
        ("attendee-dietary_wishes", "Geen noten"),  # without consent
    ],
)
def test_edit_with_bad_input_refuses_clearly_and_saves_nothing(
    owner_client, world, booking, field, value
):
    before = _state()

    response = owner_client.post(url("registration.update", world), _data(world, **{field: value}))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert gettext("Nothing was saved. Correct the following:") in html
    assert SCRIPT not in html
    assert _state() == before


def test_edit_stores_typed_text_tidied_as_the_public_form_does(owner_client, world, booking):
    data = _data(
        world,
        booker_name=DIRTY_NAME,
        billing_organisation="Woonstichting\tDe Linde\x1b",
        billing_address="Lindelaan 1\x07\r\n\r\n 3511  AA Utrecht ",
        po_number="PO\r\n12",
        billing_org_id="3012 3456",
        **{
            "attendee-given_name": "Zoe\u0308",
            "attendee-family_name": "de\u2028Vries",
            "attendee-organisation": "Gemeente\x0bUtrecht\x7f",
            "attendee-function": "\x1b[1mWethouder",
            "attendee-special_category_consent": "on",
            "attendee-dietary_wishes": "Geen noten\x07\r\n\r\nHalal",
            f"attendee-question_{world.question.pk}": "Ja,\r\n\ufeffgraag",
        },
    )

    response = owner_client.post(url("registration.update", world), data)

    assert response.status_code == 302
    booking.refresh_from_db()
    world.attendee.refresh_from_db()
    assert (
        booking.booker_name,
        booking.billing_organisation,
        booking.billing_address,
        booking.po_number,
        booking.billing_org_id,
    ) == (
        "Zoë Şahin Łukasiewicz",
        "Woonstichting De Linde",
        "Lindelaan 1\n3511 AA Utrecht",
        "PO 12",
        "30123456",
    )
    assert (
        world.attendee.given_name,
        world.attendee.family_name,
        world.attendee.organisation,
        world.attendee.function,
        world.attendee.dietary_wishes,
    ) == ("Zoë", "de Vries", "Gemeente Utrecht", "[1mWethouder", "Geen noten\nHalal")
    assert Answer.objects.get(attendee=world.attendee).value == "Ja, graag"


@pytest.mark.parametrize("field", ["booker_name", "attendee-given_name"])
def test_edit_with_a_required_field_that_tidies_to_nothing_is_refused_as_empty(
    owner_client, world, booking, field
):
    before = _state()

    response = owner_client.post(
        url("registration.update", world), _data(world, **{field: "\ufeff\u0007 \r\n\x1b"})
    )

    assert response.status_code == 200
    (attendee_form,) = response.context["attendees"]
    errors = {**response.context["form"].errors, **attendee_form.errors}
    assert errors == {field.replace("attendee-", ""): [gettext(REQUIRED)]}
    assert _state() == before


@pytest.mark.parametrize("organisation", ["", "\ufeff\u0007\r\n"])
def test_edit_that_empties_billing_of_paid_booking_is_refused(
    owner_client, world, booking, organisation
):
    before = _state()

    response = owner_client.post(
        url("registration.update", world), _data(world, billing_organisation=organisation)
    )

    assert response.status_code == 200
    assert str(BILLING_MISSING) in response.content.decode()
    assert _state() == before


def test_edit_to_an_address_an_invoice_cannot_name_is_refused(owner_client, world, booking):
    # The public form's rule, in the one editing service: no postcode, no country.
    before = _state()

    response = owner_client.post(
        url("registration.update", world), _data(world, billing_address="Lindelaan 1\nUtrecht")
    )

    assert response.status_code == 200
    assert str(NO_COUNTRY) in response.content.decode()
    assert _state() == before


def test_edit_asking_for_the_einvoice_without_a_number_is_refused_at_the_field(
    owner_client, world, booking
):
    # The shared billing rule: no OIN, KvK number or Peppol ID, no e-invoice (R010).
    before = _state()

    response = owner_client.post(
        url("registration.update", world),
        _data(world, billing_organisation="Zoë Şahin-Łukasiewicz", billing_einvoice="on"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_billing_org_id_error"' in html
    assert 'href="#id_billing_org_id"' in html
    assert str(EINVOICE_ADDRESS_MISSING) in html
    assert _state() == before


def test_edit_asking_for_the_einvoice_with_an_oin_is_saved(owner_client, world, booking):
    response = owner_client.post(
        url("registration.update", world),
        _data(world, billing_org_id="00000001003214345000", billing_einvoice="on"),
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.billing_org_id, booking.billing_einvoice) == ("00000001003214345000", True)


def test_edit_to_a_peppol_id_outside_the_peppol_code_list_is_refused_at_the_field(
    owner_client, world, booking
):
    before = _state()

    response = owner_client.post(
        url("registration.update", world),
        _data(world, billing_peppol_id="9999:123", billing_einvoice="on"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_billing_peppol_id_error"' in html
    assert str(UNKNOWN_SCHEME % {"scheme": "9999"}) in html
    assert _state() == before


def test_edit_form_for_owner_offers_sensitive_fields(owner_client, world):
    response = owner_client.get(url("registration.update", world))
    (attendee_form,) = response.context["attendees"]
    questions = {f"question_{world.question.pk}"}
    assert set(attendee_form.fields) == set(editing.ATTENDEE_FIELDS) | questions


def test_edit_changes_an_answer_and_logs_it(owner_client, world, booking):
    field = f"attendee-question_{world.question.pk}"
    Answer.objects.create(attendee=world.attendee, question=world.question, value="Oud")
    html = owner_client.get(url("registration.update", world)).content.decode()
    assert 'value="Oud"' in html

    response = owner_client.post(
        url("registration.update", world), _data(world, **{field: "Nieuw"})
    )

    assert response.status_code == 302
    assert Answer.objects.get(attendee=world.attendee).value == "Nieuw"
    (attendee,) = LogEntry.objects.get(action="registration.changed").data["attendees"]
    assert attendee["answers"] == {world.question.label_nl: ["Oud", "Nieuw"]}


def test_edit_with_a_bad_answer_says_so_and_saves_nothing(owner_client, world, booking):
    choice = QuestionFactory(event=world.event, kind="single_choice", options=["A", "B"])
    before = (_state(), list(Answer.objects.values()))

    response = owner_client.post(
        url("registration.update", world),
        _data(world, **{f"attendee-question_{choice.pk}": "999999"}),
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert (_state(), list(Answer.objects.values())) == before


def test_service_keeps_answers_to_questions_the_editor_was_not_asked(world):
    special = QuestionFactory(event=world.event, special_category=True)
    world.attendee.special_category_consent = True
    world.attendee.save()
    Answer.objects.create(attendee=world.attendee, question=special, value="Insuline")

    change_registration(
        world.registration,
        by=world.owner,
        answers={world.attendee.pk: {world.question.pk: "Een antwoord"}},
        asked=[world.question],
    )

    stored = dict(Answer.objects.values_list("question_id", "value"))
    assert stored == {special.pk: "Insuline", world.question.pk: "Een antwoord"}


# --- the service itself ---------------------------------------------------------------------


def test_service_refuses_attendee_of_other_registration(world):
    stranger = AttendeeFactory(registration=RegistrationFactory(event=world.event))
    with pytest.raises(RegistrationError) as refused:
        change_registration(
            world.registration, by=world.owner, attendees={stranger.pk: {"given_name": "X"}}
        )
    assert refused.value.code == "invalid"
    stranger.refresh_from_db()
    assert stranger.given_name == "Ada"


def test_service_refuses_fields_it_does_not_edit(world):
    with pytest.raises(ValueError, match="status"):
        change_registration(world.registration, by=world.owner, details={"status": "cancelled"})


def test_service_logs_sensitive_changes_without_values(world):
    changes = change_registration(
        world.registration,
        by=world.owner,
        attendees={
            world.attendee.pk: {
                "role": AttendingRole.RESIDENT,
                "special_category_consent": True,
                "accessibility_needs": "Ringleiding",
            }
        },
    )
    logged = LogEntry.objects.get(action="registration.changed").data
    assert logged == changes
    assert logged["attendees"][0]["changes"] == {
        "role": ["changed"],
        "special_category_consent": ["changed"],
        "accessibility_needs": ["changed"],
    }
    assert "Ringleiding" not in str(logged)


def test_service_refuses_needs_without_consent_and_changes_nothing(world):
    before = _state()
    with pytest.raises(RegistrationError) as refused:
        change_registration(
            world.registration,
            by=world.owner,
            details={"booker_name": "Nieuw"},
            attendees={world.attendee.pk: {"dietary_wishes": "Halal"}},
        )
    assert refused.value.code == "consent_missing"
    assert _state() == before


def test_edit_of_the_vat_number_is_stored_compact_logged_and_shown(owner_client, world, booking):
    response = owner_client.post(
        url("registration.update", world), _data(world, billing_vat_number="nl 0044.95.445 b01")
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.billing_vat_number == "NL004495445B01"
    entry = LogEntry.objects.get(action="registration.changed")
    assert entry.data["changes"] == {"billing_vat_number": ["", "NL004495445B01"]}
    assert "NL004495445B01" in owner_client.get(url("registration.detail", world)).content.decode()


@pytest.mark.parametrize("vat_number", ["NL004495446B01", "004495445B01", "GB980780684"])
def test_edit_to_a_vat_number_that_is_not_a_valid_eu_one_is_refused_at_the_field(
    owner_client, world, booking, vat_number
):
    before = _state()

    response = owner_client.post(
        url("registration.update", world), _data(world, billing_vat_number=vat_number)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_billing_vat_number_error"' in html
    assert 'href="#id_billing_vat_number"' in html
    assert _state() == before


def test_edit_opened_before_the_booker_changed_something_does_not_undo_it(
    owner_client, world, booking, english
):
    import re

    from goedeburen.registration import services

    page = owner_client.get(url("registration.update", world)).content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    services.substitute_attendee(world.attendee, substitute=services.Substitute(given_name="Cor"))

    response = owner_client.post(
        url("registration.update", world), _data(world, seen=seen, booker_name="Bea Bakker")
    )

    assert response.status_code == 200
    shown = response.content.decode()
    assert "Your changes were not saved: this registration was changed in the meantime" in shown
    assert Attendee.objects.get(pk=world.attendee.pk).given_name == "Cor"
    assert Registration.objects.get(pk=world.registration.pk).booker_name != "Bea Bakker"
    # The form shows the registration as it is now; sent from there, the change is saved.
    again = re.search(r'name="seen" value="([^"]+)"', shown).group(1)
    saved = owner_client.post(
        url("registration.update", world),
        _data(world, seen=again, booker_name="Bea Bakker", **{"attendee-given_name": "Cor"}),
    )
    assert saved.status_code == 302
    assert Registration.objects.get(pk=world.registration.pk).booker_name == "Bea Bakker"
