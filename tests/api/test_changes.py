"""PATCH of a registration and of an attendee: through `change_registration`, as the back
office and the participant's own page change them."""

import pytest
from django.conf import settings
from django.utils import translation

from goedeburen.api import services
from goedeburen.api.models import WebhookDelivery
from goedeburen.common.addresses import address_problem
from goedeburen.common.models import LogEntry
from goedeburen.registration.exceptions import (
    BILLING_MISSING,
    CONSENT_MISSING,
    EINVOICE_ADDRESS_MISSING,
    PO_NUMBER_MISSING,
)
from goedeburen.registration.models import (
    Answer,
    Attendee,
    Question,
    Registration,
    RegistrationSettings,
)
from goedeburen.registration.services.questions import (
    ANSWER_REQUIRED,
    ANSWER_TOO_LONG,
    MAX_ANSWER_LENGTH,
    UNKNOWN_QUESTION,
)
from tests.factories import EventFactory, QuestionFactory, TicketTypeFactory

from .conftest import Api, make_token

ADDRESS = "Postbus 16200\n3500 CE Utrecht"


def _registration(world) -> str:
    return f"/api/v1/events/{world.event.slug}/registrations/{world.registration.code}/"


def _attendee(world) -> str:
    return f"/api/v1/events/{world.event.slug}/attendees/{world.attendee.pk}/"


def _changes(world) -> list[dict]:
    return list(
        LogEntry.objects.filter(
            object_id=str(world.registration.pk), action="registration.changed"
        ).values_list("data", flat=True)
    )


def _stored(world) -> tuple[dict, dict]:
    registration = Registration.objects.filter(pk=world.registration.pk).values().get()
    attendee = Attendee.objects.filter(pk=world.attendee.pk).values().get()
    return registration, attendee


def test_a_registration_patch_changes_only_the_fields_sent_and_logs_them(api, world):
    response = api.patch(
        _registration(world),
        {
            "booker_name": "Bea de Boer",
            "billing_organisation": "Portaal",
            "billing_address": ADDRESS,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["booker_name"], body["email"]) == ("Bea de Boer", "bea@example.org")
    assert (body["billing_organisation"], body["billing_address"]) == ("Portaal", ADDRESS)
    assert response["ETag"].startswith('"')
    assert _changes(world) == [
        {
            "changes": {
                "booker_name": ["Bea Boeker", "Bea de Boer"],
                "billing_organisation": ["", "Portaal"],
                "billing_address": ["", ADDRESS],
            },
            "attendees": [],
        }
    ]
    assert LogEntry.objects.get(action="registration.changed").actor == world.owner


def test_an_attendee_patch_changes_only_the_fields_sent_and_logs_them(api, world):
    response = api.patch(_attendee(world), {"given_name": "Adam", "organisation": "Portaal"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["given_name"], body["family_name"], body["organisation"]) == (
        "Adam",
        "de Vries",
        "Portaal",
    )
    assert _changes(world) == [
        {
            "changes": {},
            "attendees": [
                {
                    "attendee": world.attendee.pk,
                    "name": "Ada de Vries",
                    "changes": {"given_name": ["Ada", "Adam"], "organisation": ["", "Portaal"]},
                    "answers": {},
                }
            ],
        }
    ]


def test_an_attendee_reads_as_one_resource(api, world):
    response = api.get(_attendee(world))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["registration"]) == (
        world.attendee.pk,
        world.registration.code,
    )


def test_an_answer_sent_changes_that_answer_and_keeps_the_others(api, world):
    kept = QuestionFactory(event=world.event)
    Answer.objects.create(attendee=world.attendee, question=kept, value="blijft")
    Answer.objects.create(attendee=world.attendee, question=world.question, value="oud")

    response = api.patch(_attendee(world), {"answers": {str(world.question.pk): "nieuw"}})

    assert response.status_code == 200, response.content
    stored = dict(
        Answer.objects.filter(attendee=world.attendee).values_list("question_id", "value")
    )
    assert stored == {kept.pk: "blijft", world.question.pk: "nieuw"}
    assert _changes(world)[0]["attendees"][0]["answers"] == {
        world.question.label_nl: ["oud", "nieuw"]
    }


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_a_patch_without_the_write_scope_is_refused_and_changes_nothing(world, target):
    api = Api(make_token(world, scopes=["registrations:read"]))
    before = _stored(world)

    response = api.patch(target(world), {"email": "nieuw@example.org"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert _stored(world) == before


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_a_token_of_another_organiser_or_event_gets_404(world, other_world, target):
    other_event = EventFactory(organiser=world.organiser)
    before = _stored(world)
    for token in [make_token(other_world), make_token(world, event=other_event)]:
        response = Api(token).patch(target(world), {"email": "nieuw@example.org"})

        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/problem+json"
    assert _stored(world) == before


@pytest.mark.parametrize(
    ("target", "body", "field"),
    [
        (_registration, {"colour": "red"}, "colour"),
        (_registration, {"status": "cancelled"}, "status"),
        (_registration, {"code": "ABCDEFGH"}, "code"),
        (_registration, {"total": "0.00"}, "total"),
        (_registration, {"email": "not an address"}, "email"),
        (_registration, {"booker_name": ["Bea"]}, "booker_name"),
        (_registration, {"booker_name": "x" * 201}, "booker_name"),
        (_registration, {"billing_address": "x" * 501}, "billing_address"),
        (_registration, {"billing_einvoice": "maybe"}, "billing_einvoice"),
        (_registration, {"billing_einvoice": 1}, "billing_einvoice"),
        (_registration, {"po_number": 12}, "po_number"),
        (_attendee, {"ticket_type": 1}, "ticket_type"),
        (_attendee, {"price": "0.00"}, "price"),
        (_attendee, {"registration": "ABCDEFGH"}, "registration"),
        (_attendee, {"shoe_size": 43}, "shoe_size"),
        (_attendee, {"role": "king"}, "role"),
        (_attendee, {"photo_consent": "perhaps"}, "photo_consent"),
        (_attendee, {"special_category_consent": 0}, "special_category_consent"),
        (_attendee, {"given_name": 7}, "given_name"),
        (_attendee, {"given_name": None}, "given_name"),
        (_attendee, {"given_name": ""}, "given_name"),
        (_attendee, {"family_name": "x" * 151}, "family_name"),
        (_attendee, {"dietary_wishes": "x" * 501}, "dietary_wishes"),
        (_attendee, {"answers": {"999999": "x"}}, "answers"),
        (_attendee, {"answers": ["x"]}, "answers"),
    ],
)
def test_bad_input_is_a_400_at_the_field_and_changes_nothing(api, world, target, body, field):
    before = _stored(world)

    # With a good field beside it: that one does not change either.
    good = {"email": "nieuw@example.org"} if target is _registration else {"organisation": "P"}
    response = api.patch(target(world), {**good, **body})

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert _stored(world) == before
    assert _changes(world) == []


@pytest.mark.parametrize(
    ("asked", "language", "unknown", "read_only"),
    [
        ({}, "nl", "Onbekend veld.", "Dit veld kun je niet wijzigen."),
        ({"Accept-Language": "nl"}, "nl", "Onbekend veld.", "Dit veld kun je niet wijzigen."),
        (
            {"Accept-Language": "en-GB,en;q=0.8"},
            "en",
            "Unknown field.",
            "This field cannot be changed.",
        ),
        (
            {"Accept-Language": "fr, en;q=0.5"},
            "en",
            "Unknown field.",
            "This field cannot be changed.",
        ),
        ({"Accept-Language": "de, fr"}, "nl", "Onbekend veld.", "Dit veld kun je niet wijzigen."),
        ({"Accept-Language": "*"}, "nl", "Onbekend veld.", "Dit veld kun je niet wijzigen."),
    ],
)
def test_a_refused_field_is_named_in_the_language_the_client_asks_for(
    api, world, asked, language, unknown, read_only
):
    response = api.patch(_registration(world), {"colour": "red", "status": "cancelled"}, **asked)

    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": [unknown], "status": [read_only]}
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_dietary_wishes_without_consent_are_a_400_and_change_nothing(api, world):
    before = _stored(world)

    with translation.override(settings.LANGUAGE_CODE):  # the API answers in the site's
        message = str(CONSENT_MISSING)

    response = api.patch(_attendee(world), {"dietary_wishes": "vegan"})

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"special_category_consent": [message]}
    assert _stored(world) == before


def test_a_special_category_answer_without_consent_is_a_400_and_changes_nothing(api, world):
    question = QuestionFactory(event=world.event, special_category=True)

    response = api.patch(_attendee(world), {"answers": {str(question.pk): "rolstoel"}})

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]["answers"]) == [str(question.pk)]
    assert not Answer.objects.filter(attendee=world.attendee).exists()
    assert _changes(world) == []


def test_special_category_details_with_consent_are_logged_without_their_values(api, world):
    question = QuestionFactory(event=world.event, special_category=True)

    response = api.patch(
        _attendee(world),
        {
            "special_category_consent": True,
            "dietary_wishes": "vegan",
            "answers": {str(question.pk): "rolstoel"},
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["dietary_wishes"] == "vegan"
    change = _changes(world)[0]["attendees"][0]
    assert change["changes"] == {
        "special_category_consent": ["changed"],
        "dietary_wishes": ["changed"],
    }
    assert change["answers"] == {question.label_nl: ["changed"]}


@pytest.mark.parametrize(
    "body", [{"dietary_wishes": ""}, {"role": "resident"}, {"special_category_consent": False}]
)
def test_sensitive_details_need_the_special_category_scope(world, body):
    api = Api(make_token(world, scopes=["registrations:read", "registrations:write"]))
    before = _stored(world)

    response = api.patch(_attendee(world), body)

    assert response.status_code == 403, response.content
    assert "special_category:read" in response.json()["detail"]
    assert _stored(world) == before


def test_a_special_category_answer_needs_the_special_category_scope(world):
    question = QuestionFactory(event=world.event, special_category=True)
    api = Api(make_token(world, scopes=["registrations:read", "registrations:write"]))

    response = api.patch(_attendee(world), {"answers": {str(question.pk): ""}})

    assert response.status_code == 403, response.content
    assert f"answers.{question.pk}" in response.json()["detail"]


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_if_match_with_an_old_etag_is_a_412_and_changes_nothing(api, world, target):
    old = api.get(target(world))["ETag"]
    assert api.patch(target(world), {"email": "tussendoor@example.org"}).status_code == 200
    before = _stored(world)

    response = api.patch(target(world), {"email": "laat@example.org"}, **{"If-Match": old})

    assert response.status_code == 412, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "precondition_failed"
    assert _stored(world) == before


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_if_match_with_the_current_etag_changes_and_answers_the_new_etag(api, world, target):
    current = api.get(target(world))["ETag"]

    response = api.patch(target(world), {"email": "nieuw@example.org"}, **{"If-Match": current})

    assert response.status_code == 200, response.content
    assert response["ETag"] == api.get(target(world))["ETag"] != current


def test_the_same_idempotency_key_twice_changes_once(api, world):
    first = api.patch(_attendee(world), {"given_name": "Adam"}, **{"Idempotency-Key": "k-1"})
    api.patch(_attendee(world), {"given_name": "Eva"})  # someone else, in between
    second = api.patch(_attendee(world), {"given_name": "Adam"}, **{"Idempotency-Key": "k-1"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Attendee.objects.get(pk=world.attendee.pk).given_name == "Eva"
    assert len(_changes(world)) == 2


def test_an_idempotency_key_of_another_request_is_refused(api, world):
    api.patch(_attendee(world), {"given_name": "Adam"}, **{"Idempotency-Key": "k-2"})

    response = api.patch(_attendee(world), {"given_name": "Eva"}, **{"Idempotency-Key": "k-2"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert Attendee.objects.get(pk=world.attendee.pk).given_name == "Adam"


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_a_change_queues_the_registration_changed_webhook(api, world, target):
    services.create_endpoint(
        organiser=world.organiser,
        event=None,
        url="https://crm.example.org/hooks",
        event_types=["registration.changed"],
        by=world.owner,
    )

    response = api.patch(target(world), {"email": "nieuw@example.org"})

    assert response.status_code == 200, response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "registration.changed"
    assert delivery.payload["data"]["id"] == world.registration.code


def test_the_schema_documents_both_patches_with_their_bodies(api, world):
    document = api.get("/api/v1/schema/?format=json").json()
    paths = document["paths"]
    schemas = document["components"]["schemas"]

    registration = paths["/api/v1/events/{event}/registrations/{code}/"]["patch"]
    attendee = paths["/api/v1/events/{event}/attendees/{attendee}/"]["patch"]

    for operation, name in [
        (registration, "PatchedRegistrationChangeRequest"),
        (attendee, "PatchedAttendeeChangeRequest"),
    ]:
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{name}"}
        assert schemas[name]["additionalProperties"] is False
        assert {"200", "400", "403", "404", "412", "422"} <= set(operation["responses"])
        names = {p["name"] for p in operation["parameters"]}
        assert {"Idempotency-Key", "If-Match"} <= names
        # A domain refusal at the fields sent is a 400 too, with the domain's code.
        refused = operation["responses"]["400"]["description"]
        assert ("`billing_missing`" in refused, "`consent_missing`" in refused) == (True, True)
    assert "billing_organisation" in schemas["PatchedRegistrationChangeRequest"]["properties"]
    assert "status" not in schemas["PatchedRegistrationChangeRequest"]["properties"]
    assert "ticket_type" not in schemas["PatchedAttendeeChangeRequest"]["properties"]


def test_a_cancelled_registration_is_refused_with_the_domain_code(api, world):
    Registration.objects.filter(pk=world.registration.pk).update(status="cancelled")
    before = _stored(world)

    response = api.patch(_attendee(world), {"given_name": "Adam"})

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "wrong_state"
    assert _stored(world) == before


def test_a_change_that_changes_nothing_is_not_logged(api, world):
    response = api.patch(_registration(world), {"booker_name": world.registration.booker_name})

    assert response.status_code == 200
    assert _changes(world) == []


@pytest.mark.parametrize("condition", ["", "*"])
def test_an_empty_or_any_if_match_sets_no_condition(api, world, condition):
    response = api.patch(_attendee(world), {"given_name": "Adam"}, **{"If-Match": condition})

    assert response.status_code == 200, response.content
    assert Attendee.objects.get(pk=world.attendee.pk).given_name == "Adam"


BILLING = {"billing_organisation": "Portaal", "billing_address": ADDRESS}


def _in(language: str, message) -> str:
    with translation.override(language):
        return str(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"billing_address": ""}, BILLING_MISSING),
        ({"billing_organisation": ""}, BILLING_MISSING),
        ({"billing_organisation": "", "billing_address": ""}, BILLING_MISSING),
        ({"billing_address": "Postbus 16200\nUtrecht"}, None),  # no postcode
        ({"billing_einvoice": True}, EINVOICE_ADDRESS_MISSING),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_billing_a_patch_makes_unusable_is_a_400_at_its_fields_with_the_domain_code(
    api, world, body, message, language
):
    assert api.patch(_registration(world), BILLING).status_code == 200  # a paid registration
    before = _stored(world)
    wanted = _in(language, message or address_problem(body.get("billing_address", "")))
    fields = {"billing_einvoice": "billing_org_id"}
    named = sorted(fields.get(name, name) for name in body)

    response = api.patch(_registration(world), body, **{"Accept-Language": language})

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["detail"]) == ("billing_missing", wanted)
    assert problem["errors"] == {name: [wanted] for name in named}
    assert _stored(world) == before
    assert len(_changes(world)) == 1


def test_a_purchase_order_number_the_event_asks_for_cleared_is_a_400_at_it(api, world):
    RegistrationSettings.objects.create(event=world.event, po_number_required=True)
    assert api.patch(_registration(world), {**BILLING, "po_number": "PO-1"}).status_code == 200
    before = _stored(world)

    response = api.patch(_registration(world), {"po_number": ""})

    assert response.status_code == 400, response.content
    wanted = _in("nl", PO_NUMBER_MISSING)
    assert (response.json()["code"], response.json()["errors"]) == (
        "billing_missing",
        {"po_number": [wanted]},
    )
    assert _stored(world) == before


@pytest.mark.parametrize(
    ("answer", "required", "message", "extra"),
    [
        ("x" * (MAX_ANSWER_LENGTH + 1), False, ANSWER_TOO_LONG, {"count": MAX_ANSWER_LENGTH}),
        (None, True, ANSWER_REQUIRED, {}),
        ("ja", False, UNKNOWN_QUESTION, {}),
    ],
    ids=["too-long", "required-removed", "not-asked-for-this-ticket"],
)
def test_an_answer_the_service_refuses_is_a_400_at_the_answer(
    api, world, answer, required, message, extra
):
    Question.objects.filter(pk=world.question.pk).update(required=required)
    Answer.objects.create(attendee=world.attendee, question=world.question, value="oud")
    if message is UNKNOWN_QUESTION:
        world.question.ticket_types.set([TicketTypeFactory(event=world.event)])
    pk = str(world.question.pk)

    response = api.patch(_attendee(world), {"answers": {pk: answer}}, **{"Accept-Language": "en"})

    assert response.status_code == 400, response.content
    wanted = _in("en", message)
    if message is not UNKNOWN_QUESTION:
        wanted %= {"question": world.question.label_en, **extra}
    assert (response.json()["code"], response.json()["errors"]) == (
        "invalid",
        {"answers": {pk: [wanted]}},
    )
    stored = Answer.objects.filter(attendee=world.attendee).values_list("value", flat=True)
    assert list(stored) == ["oud"]
    assert _changes(world) == []


@pytest.mark.parametrize("removed", [None, ""])
def test_null_or_an_empty_text_removes_an_answer(api, world, removed):
    Answer.objects.create(attendee=world.attendee, question=world.question, value="oud")

    response = api.patch(_attendee(world), {"answers": {str(world.question.pk): removed}})

    assert response.status_code == 200, response.content
    assert not Answer.objects.filter(attendee=world.attendee).exists()
