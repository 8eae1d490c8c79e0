import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from rest_framework import serializers

from goedeburen.registration.billing import vat_number_problem
from goedeburen.registration.exceptions import EINVOICE_ADDRESS_MISSING
from goedeburen.registration.models import Registration
from goedeburen.registration.peppol import peppol_id_problem
from tests.factories import QuestionFactory, QuotaFactory, TicketTypeFactory

from .conftest import Api, make_token


def _body(world, **overrides):
    body = {
        "booker_name": "Api Boeker",
        "email": "bea@example.org",
        "language": "en",
        "attendees": [
            {"ticket_type": world.ticket_type.pk, "given_name": "Ada", "role": "municipality"}
        ],
        "billing": {
            "organisation": "Gemeente Utrecht",
            "address": "Postbus 16200\n3500 CE Utrecht",
        },
    }
    body.update(overrides)
    return body


def _path(world):
    return f"/api/v1/events/{world.event.slug}/registrations/"


def test_a_registration_is_created_through_the_service(api, world):
    response = api.post(_path(world), _body(world))

    assert response.status_code == 201, response.content
    created = Registration.objects.get(code=response.json()["code"])
    assert (created.booker_name, created.attendees.count()) == ("Api Boeker", 1)
    assert response.json()["attendees"][0]["given_name"] == "Ada"
    assert created.status == "pending_payment"


def test_the_same_idempotency_key_twice_creates_one_and_answers_the_same(api, world):
    first = api.post(_path(world), _body(world), **{"Idempotency-Key": "abc-1"})
    second = api.post(_path(world), _body(world), **{"Idempotency-Key": "abc-1"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Registration.objects.filter(booker_name="Api Boeker").count() == 1


def test_an_idempotency_key_reused_with_another_body_is_refused(api, world):
    api.post(_path(world), _body(world), **{"Idempotency-Key": "abc-2"})

    response = api.post(
        _path(world), _body(world, booker_name="Other"), **{"Idempotency-Key": "abc-2"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Registration.objects.filter(booker_name="Other").count() == 0


@pytest.mark.parametrize("key", ["a\x00b", "a\x1bb", "x" * 256])
def test_an_idempotency_key_with_a_control_character_or_too_long_is_refused(api, world, key):
    # The key is stored: PostgreSQL cannot store a NUL byte (it answered 500).
    response = api.post(_path(world), _body(world), **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "Idempotency-Key": ["Hooguit 255 tekens, en geen stuurtekens."]
    }
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


@pytest.mark.parametrize("kind", ["multiple_choice", "text"])
def test_an_answer_of_the_wrong_shape_is_a_problem_not_an_error(api, world, kind):
    question = QuestionFactory(event=world.event, kind=kind, options=["A", "B"])
    body = _body(world)
    body["attendees"][0]["answers"] = {str(question.pk): 2.5 if kind != "text" else {"a": 1}}

    response = api.post(_path(world), body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert question.label_nl in response.json()["detail"]
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


def test_a_sold_out_ticket_is_a_problem_with_the_domain_code(world, english):
    ticket = TicketTypeFactory(event=world.event)
    QuotaFactory(event=world.event, size=0, ticket_types=[ticket])
    api = Api(make_token(world))
    body = _body(world, attendees=[{"ticket_type": ticket.pk, "given_name": "A", "role": "other"}])

    response = api.post(_path(world), body, **{"Accept-Language": "en"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "sold_out"
    # In the language asked for, naming the ticket by its name in that language.
    assert response.json()["detail"] == f"Sorry, the ticket “{ticket.t.name}” is sold out."
    assert response["Content-Language"] == "en"
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


def test_bad_input_is_a_problem_and_changes_nothing(api, world):
    before = Registration.objects.count()
    for body in [
        {},
        _body(world, attendees=[]),
        _body(world, email="not an address"),
        _body(world, attendees=[{"ticket_type": 999999, "given_name": "A", "role": "other"}]),
        _body(
            world, attendees=[{"ticket_type": world.ticket_type.pk, "given_name": "A", "role": "x"}]
        ),
        _body(world, attendees=[{"ticket_type": "x", "given_name": "\x00", "role": "other"}]),
        # "²" is a digit to str.isdigit() but no question id to int().
        _body(
            world,
            attendees=[
                {
                    "ticket_type": world.ticket_type.pk,
                    "given_name": "A",
                    "role": "other",
                    "answers": {"²": "x"},
                }
            ],
        ),
    ]:
        response = api.post(_path(world), body)
        assert response.status_code in (400, 422), (body, response.content)
        assert response["Content-Type"] == "application/problem+json"
    # Not JSON, and JSON nested deeper than Python reads (or than the check for half of a
    # UTF-16 pair walks, just under that): a 500 before.
    for data in ["{not json", "[" * 100_000, "[" * 990 + "]" * 990]:
        response = api.client.post(
            _path(world), data=data, content_type="application/json", headers=api.headers
        )
        assert response.status_code == 400, data[:20]
        if data.startswith("[["):
            assert "te diep genest" in response.json()["detail"]
    assert Registration.objects.count() == before


def test_an_invoice_address_the_invoice_cannot_name_is_refused_as_in_the_form(api, world):
    # The rule of the public form, in the service: a Dutch address without its postcode
    # or a foreign one without its country gives an e-invoice that fails NL-R-004.
    for address in ["Postbus 16200\nUtrecht", "Rue de la Loi 16\n1000 Bruxelles"]:
        body = _body(world, billing={"organisation": "Gemeente Utrecht", "address": address})
        response = api.post(_path(world), body, **{"Accept-Language": "en"})

        assert response.status_code == 422, response.content
        assert response.json()["code"] == "billing_missing"
        assert "postcode" in response.json()["detail"]
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()

    body = _body(world, billing={"organisation": "Ville", "address": address + "\nBelgique"})
    assert api.post(_path(world), body).status_code == 201


def _billing(**values) -> dict:
    return {
        "organisation": "Zoë Şahin-Łukasiewicz",
        "address": "Postbus 16200\n3500 CE Utrecht",
        **values,
    }


def test_einvoice_without_a_number_is_a_400_at_the_field_and_stores_nothing(api, world):
    # As the form: without an OIN, KvK number or Peppol ID the e-invoice fails R010.
    with translation.override(settings.LANGUAGE_CODE):  # the API answers in the site's
        message = str(EINVOICE_ADDRESS_MISSING)
    for billing in [_billing(einvoice=True), _billing(einvoice=True, org_id=" ", peppol_id="")]:
        response = api.post(_path(world), _body(world, billing=billing))

        assert response.status_code == 400, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "invalid"
        assert response.json()["errors"] == {"billing": {"org_id": [message]}}
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


def test_a_peppol_id_the_peppol_rules_refuse_is_a_400_at_the_field_and_stores_nothing(api, world):
    for peppol_id, scheme in [("9999:123", "9999"), ("0192:988077918", "0192")]:
        with translation.override(settings.LANGUAGE_CODE):
            message = peppol_id_problem(peppol_id)
        billing = _billing(einvoice=True, peppol_id=peppol_id)

        response = api.post(_path(world), _body(world, billing=billing))

        assert response.status_code == 400, response.content
        assert response.json()["errors"] == {"billing": {"peppol_id": [message]}}
        assert scheme in message
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


def test_einvoice_with_numbers_as_typed_is_stored_tidy_and_shown(api, world):
    billing = _billing(
        einvoice=True,
        org_id="0000 0001 0032 1434 5000",
        peppol_id="iso6523-actorid-upis::0190:00000001003214345000",
    )

    response = api.post(_path(world), _body(world, billing=billing))

    assert response.status_code == 201, response.content
    shown = response.json()
    assert (shown["billing_org_id"], shown["billing_peppol_id"], shown["billing_einvoice"]) == (
        "00000001003214345000",
        "0190:00000001003214345000",
        True,
    )
    stored = Registration.objects.get(code=shown["code"])
    assert (stored.billing_org_id, stored.billing_einvoice) == ("00000001003214345000", True)


def test_a_read_only_token_cannot_register(world):
    api = Api(make_token(world, scopes=["registrations:read"]))

    response = api.post(_path(world), _body(world))

    assert response.status_code == 403
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


# A name as another system can send it: a byte order mark, a bell, a Windows line break, a
# decomposed "ë" (e + combining diaeresis).
DIRTY_NAME = "\ufeffZoe\u0308\u0007 Şahin\r\nŁukasiewicz"
EMPTY_ONCE_TIDIED = "\ufeff\u0007 \r\n\x1b"
BLANK = serializers.CharField.default_error_messages["blank"]


def test_text_sent_is_stored_and_answered_tidied_as_the_form_stores_it(api, world):
    body = _body(
        world,
        booker_name=DIRTY_NAME,
        attendees=[
            {
                "ticket_type": world.ticket_type.pk,
                "given_name": "Zoe\u0308",
                "family_name": "de\u2028Vries\x7f",
                "organisation": "\x1b[31mGemeente\tUtrecht\x1b[0m",
                "function": "\ufeff",
                "role": "municipality",
                "special_category_consent": True,
                "dietary_wishes": "Geen noten\x07\r\n\r\n Halal ",
                "answers": {str(world.question.pk): "Ja,\r\ngraag\u0007"},
            }
        ],
        billing={
            "organisation": "Gemeente\r\nUtrecht",
            "address": "Postbus 16200\x07\r\n\r\n\t3500  CE Utrecht ",
            "po_number": "PO\t12",
            "reference": "\ufeffref 42",
        },
    )

    response = api.post(_path(world), body)

    assert response.status_code == 201, response.content
    created = Registration.objects.get(code=response.json()["code"])
    attendee = created.attendees.get()
    stored = (
        created.booker_name,
        created.billing_organisation,
        created.billing_address,
        created.po_number,
        created.billing_reference,
        attendee.given_name,
        attendee.family_name,
        attendee.organisation,
        attendee.function,
        attendee.dietary_wishes,
        attendee.answers.get().value,
    )
    assert stored == (
        "Zoë Şahin Łukasiewicz",
        "Gemeente Utrecht",
        "Postbus 16200\n3500 CE Utrecht",
        "PO 12",
        "ref 42",
        "Zoë",
        "de Vries",
        "[31mGemeente Utrecht[0m",
        "",
        "Geen noten\nHalal",
        "Ja, graag",
    )
    answered = response.json()
    assert (answered["booker_name"], answered["billing_address"]) == (
        "Zoë Şahin Łukasiewicz",
        "Postbus 16200\n3500 CE Utrecht",
    )
    assert {k: answered["attendees"][0][k] for k in ("given_name", "family_name")} == {
        "given_name": "Zoë",
        "family_name": "de Vries",
    }


# Half of a UTF-16 pair, which JSON can spell and no text may hold: in a text, in a choice
# (whose error message would quote it), in a key.
@pytest.mark.parametrize(
    "overrides",
    [
        {"booker_name": "Ada\ud800"},
        {"language": "\udfffen"},
        {"attendees": [{"ticket_type": 1, "given_name": "Ada", "role": "\ud83d"}]},
        {"billing": {"organisation": "Gemeente", "address": "Postbus 1", "\ud800": "x"}},
    ],
    ids=["text", "language", "role", "key"],
)
def test_a_lone_surrogate_anywhere_is_refused_with_a_message(api, world, overrides):
    before = Registration.objects.count()

    response = api.post(_path(world), _body(world, **overrides))

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == (
        "parse_error",
        "Het verzoek bevat een teken dat niet mag: een losse helft van een UTF-16-paar.",
    )
    assert Registration.objects.count() == before


def test_a_booker_name_that_tidies_to_nothing_is_refused_as_blank(api, world):
    before = Registration.objects.count()

    response = api.post(_path(world), _body(world, booker_name=EMPTY_ONCE_TIDIED))

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"booker_name": [gettext(BLANK)]}
    assert Registration.objects.count() == before


def test_an_attendees_name_that_tidies_to_nothing_is_refused_as_blank(api, world):
    before = Registration.objects.count()
    body = _body(world)
    body["attendees"][0]["given_name"] = EMPTY_ONCE_TIDIED

    response = api.post(_path(world), body)

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"attendees": {"0": {"given_name": [gettext(BLANK)]}}}
    assert Registration.objects.count() == before


def test_a_vat_number_as_sent_is_stored_compact_and_shown(api, world):
    response = api.post(_path(world), _body(world, billing=_billing(vat_number="be 0316.597.904")))

    assert response.status_code == 201, response.content
    assert response.json()["billing_vat_number"] == "BE0316597904"
    stored = Registration.objects.get(code=response.json()["code"])
    assert stored.billing_vat_number == "BE0316597904"
    shown = api.get(f"{_path(world)}{stored.code}/")
    assert shown.json()["billing_vat_number"] == "BE0316597904"


def test_a_vat_number_that_is_not_a_valid_eu_one_is_a_400_at_the_field_and_stores_nothing(
    api, world
):
    for vat_number in ["NL004495446B01", "004495445B01", "GB980780684"]:
        with translation.override(settings.LANGUAGE_CODE):
            message = vat_number_problem(vat_number)

        response = api.post(_path(world), _body(world, billing=_billing(vat_number=vat_number)))

        assert response.status_code == 400, response.content
        assert response.json()["errors"] == {"billing": {"vat_number": [message]}}
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()


def test_an_address_or_wishes_longer_than_stored_are_a_400_at_the_field(api, world):
    # As long as a registration and an attendee hold them (500): the service refused a
    # longer one with a 422 that named no field.
    attendee = {"ticket_type": world.ticket_type.pk, "given_name": "A", "role": "other"}
    for body, path in [
        (_body(world, billing=_billing(address="x" * 501)), ["billing", "address"]),
        (
            _body(world, attendees=[{**attendee, "dietary_wishes": "x" * 501}]),
            ["attendees", "0", "dietary_wishes"],
        ),
    ]:
        response = api.post(_path(world), body)

        assert response.status_code == 400, response.content
        found = response.json()["errors"]
        for name in path:
            found = found[name]
        assert len(found) == 1
    assert not Registration.objects.filter(booker_name="Api Boeker").exists()
