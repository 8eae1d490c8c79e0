"""Every field of the registration form against hostile and odd input.

Each answer is either a clear error tied to the field (and nothing saved) or the value
stored exactly and shown escaped; never a server error, never a live script tag.
"""

import pytest

from goedeburen.registration import tokens
from goedeburen.registration.models import Attendee, Registration

from .helpers import url

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = {
    "empty": "",
    "too_long": "x" * 10_001,
    "wrong_type": None,  # per kind of field, below
    "script": SCRIPT,
    "sql": "Robert'); DROP TABLE registration_registration;--",
    "rtl": "مرحبا بالجيران",
    # A right-to-left override left open would turn around what follows it on a page.
    "bidi_override": "مرحبا \u202eبالجيران Ada\u2067",
    "emoji": "🏘️ Goede buren 👩‍👩‍👧",
    "nul": "a\x00b",
}
# Payloads stored tidied (`common.text.one_line`), the others exactly as typed.
STORED = {"bidi_override": "مرحبا بالجيران Ada"}
WRONG_TYPE = {"text": "12345", "email": "not-an-address", "choice": "abc", "address": "12345"}

# (form field, kind, required, where it is stored: (object, attribute))
FIELDS = [
    ("booker-name", "text", True, ("registration", "booker_name")),
    ("booker-email", "email", True, ("registration", "email")),
    ("attendee-0-ticket_type", "choice", True, None),
    ("attendee-0-given_name", "text", True, ("attendee", "given_name")),
    ("attendee-0-family_name", "text", False, ("attendee", "family_name")),
    ("attendee-0-email", "email", False, ("attendee", "email")),
    ("attendee-0-organisation", "text", False, ("attendee", "organisation")),
    ("attendee-0-function", "text", False, ("attendee", "function")),
    ("attendee-0-role", "choice", True, None),
    ("attendee-0-badge_name", "choice", True, None),
    ("attendee-0-dietary_wishes", "text", False, ("attendee", "dietary_wishes")),
    ("attendee-0-accessibility_needs", "text", False, ("attendee", "accessibility_needs")),
    ("billing-organisation", "text", True, ("registration", "billing_organisation")),
    # An invoice address must name its postcode or country (`common.addresses`): none of
    # the payloads does, so each is refused with the address's own message.
    ("billing-address", "address", True, ("registration", "billing_address")),
    ("billing-po_number", "text", False, ("registration", "po_number")),
    ("billing-reference", "text", False, ("registration", "billing_reference")),
    ("billing-invoice_email", "email", False, ("registration", "invoice_email")),
]


def _accepted(kind: str, required: bool, payload: str) -> bool:
    """Return whether the form must take this input (else it must refuse it)."""
    if payload == "":
        return not required
    return kind == "text" and payload != PAYLOADS["too_long"] and "\x00" not in payload


def _valid_data(event, paid) -> dict:
    return {
        "form_token": tokens.issue_form_token(event_id=event.pk),
        "attendee_count": "1",
        "action": "register",
        "booker-name": "Bea Boeker",
        "booker-email": "bea@example.org",
        "attendee-0-ticket_type": str(paid.pk),
        "attendee-0-given_name": "Ada",
        "attendee-0-role": "municipality",
        "attendee-0-badge_name": "full",
        "attendee-0-special_category_consent": "on",  # so that needs may be given at all
        "billing-organisation": "Woonstichting De Linde",
        "billing-address": "Lindelaan 1\n3701 AA Zeist",
    }


@pytest.mark.parametrize("payload_name", list(PAYLOADS))
@pytest.mark.parametrize(
    ("field", "kind", "required", "stored_as"), FIELDS, ids=[f[0] for f in FIELDS]
)
def test_field_refuses_clearly_or_stores_exactly(
    client, event, hall, paid, field, kind, required, stored_as, payload_name
):
    payload = WRONG_TYPE[kind] if payload_name == "wrong_type" else PAYLOADS[payload_name]
    data = {**_valid_data(event, paid), field: payload}

    response = client.post(url("public:registration.start", event.slug), data)

    if _accepted(kind, required, payload):
        assert response.status_code == 302, response.content.decode()[:2000]
        registration = Registration.objects.get()
        owner = registration if stored_as[0] == "registration" else Attendee.objects.get()
        assert getattr(owner, stored_as[1]) == STORED.get(payload_name, payload)
        shown = client.get(response["Location"])
        html = shown.content.decode()
        assert shown.status_code == 200
        assert SCRIPT not in html
        if payload == SCRIPT and kind == "text":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    else:
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        assert f'id="id_{field}_error"' in html
        assert SCRIPT not in html
        assert Registration.objects.count() == 0
        assert Attendee.objects.count() == 0


@pytest.mark.parametrize("value", ["", "yes", SCRIPT, "false"])
@pytest.mark.parametrize(
    "field", ["photo_consent", "attendee_list_consent", "special_category_consent"]
)
def test_checkbox_takes_any_value_as_a_yes_or_no(client, event, hall, paid, field, value):
    data = {**_valid_data(event, paid), f"attendee-0-{field}": value}

    response = client.post(url("public:registration.start", event.slug), data)

    assert response.status_code == 302
    assert getattr(Attendee.objects.get(), field) is (value not in ("", "false"))


@pytest.mark.parametrize("count", ["", "abc", "-3", "0", "1.5", "9999", SCRIPT])
def test_attendee_count_of_any_kind_never_breaks_the_form(client, event, hall, paid, count):
    data = {**_valid_data(event, paid), "attendee_count": count}

    response = client.post(url("public:registration.start", event.slug), data)

    assert response.status_code in (200, 302)
    assert Attendee.objects.count() <= 1


def test_ticket_of_another_event_is_refused(client, event, hall, paid):
    from tests.factories import TicketTypeFactory

    data = {**_valid_data(event, paid), "attendee-0-ticket_type": str(TicketTypeFactory().pk)}

    response = client.post(url("public:registration.start", event.slug), data)

    assert response.status_code == 200
    assert 'id="id_attendee-0-ticket_type_error"' in response.content.decode()
    assert Registration.objects.count() == 0


def test_hostile_code_in_manage_link_is_not_found(client, event):
    path = url("public:registration.start", event.slug) + "manage/%3Cscript%3E/x/"
    assert client.get(path).status_code == 404
