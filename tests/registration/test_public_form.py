import re
from decimal import Decimal

import pytest
from django.test import Client

from goedeburen.events.models import EventStatus
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration
from tests.factories import QuestionFactory, QuotaFactory

from .helpers import form_data, form_token, manage_link, url

pytestmark = pytest.mark.django_db

START = "public:registration.start"


def _post(client, event, data, *, language="en"):
    return client.post(url(START, event.slug, language=language), data)


def test_form_shows_every_field_with_its_label(client, event, hall):
    html = client.get(url(START, event.slug)).content.decode()

    for label in (
        "Your name",
        "Your email address",
        "Ticket",
        "First name",
        "Last name",
        "Email address",
        "Organisation",
        "Job title",
        "In which role do you take part?",
        "Name on the badge",
        "I agree to appear in photos and films of the conference.",
        "Put my name and organisation on the list of attendees.",
        "Dietary wishes",
        "Accessibility needs",
        "Billing details",
        "Purchase order number",
        "Your reference",
        "Email address for the invoice",
        "Add another attendee",
    ):
        assert label in html, label
    assert 'for="id_attendee-0-given_name"' in html
    for role in ("Housing corporation", "Resident of a mixed-housing project", "Ministry"):
        assert role in html


def test_form_without_paid_tickets_asks_no_billing_details(client, event, free):
    QuotaFactory(event=event, ticket_types=[free])

    html = client.get(url(START, event.slug)).content.decode()

    assert "Billing details" not in html


@pytest.mark.parametrize("status", [EventStatus.PUBLISHED, EventStatus.CLOSED])
def test_form_when_registration_is_not_open_says_so(client, event, hall, free, status):
    event.status = status
    event.save()

    shown = client.get(url(START, event.slug))
    sent = client.post(url(START, event.slug), {"action": "register"})

    assert shown.status_code == sent.status_code == 200
    assert "Registration is not open" in shown.content.decode()
    assert 'method="post"' not in shown.content.decode()
    assert Registration.objects.count() == 0


def test_form_of_draft_event_is_not_found(client, event, hall):
    event.status = EventStatus.DRAFT
    event.save()

    assert client.get(url(START, event.slug)).status_code == 404


def test_register_paid_ticket_confirms_with_code_status_and_secret_link(client, event, hall, paid):
    response = _post(client, event, form_data(client, event, [paid]))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("public:registration.done", event.slug, registration.code)
    done = client.get(response["Location"]).content.decode()
    assert registration.code in done
    assert "Pending payment" in done
    assert "Otherwise your place lapses." in done
    manage = client.get(manage_link(done))
    assert manage.status_code == 200
    assert registration.code in manage.content.decode()
    assert registration.status == RegistrationStatus.PENDING_PAYMENT
    assert registration.language == "en"
    assert registration.billing_organisation == "Woonstichting De Linde"


def test_register_resident_needs_no_billing_and_awaits_approval(client, event, hall, resident):
    no_billing = {"billing-organisation": "", "billing-address": ""}
    data = form_data(client, event, [resident], **no_billing)

    response = _post(client, event, data)

    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.AWAITING_APPROVAL
    done = client.get(response["Location"]).content.decode()
    assert "The organisers will review your registration." in done


def test_paid_ticket_without_billing_details_shows_errors_and_saves_nothing(
    client, event, hall, paid
):
    data = form_data(client, event, [paid], **{"billing-organisation": "", "billing-address": ""})

    html = _post(client, event, data).content.decode()

    assert "Please correct 2 errors" in html
    assert 'href="#id_billing-organisation"' in html
    assert Registration.objects.count() == 0


def test_einvoice_without_a_number_is_refused_at_the_field_and_saves_nothing(
    client, event, hall, paid
):
    # Without an OIN, KvK number or Peppol ID the e-invoice fails PEPPOL-EN16931-R010.
    data = form_data(
        client,
        event,
        [paid],
        **{"billing-organisation": "Zoë Şahin-Łukasiewicz", "billing-einvoice": "on"},
    )

    html = _post(client, event, data).content.decode()

    assert 'id="id_billing-org_id_error"' in html
    assert 'href="#id_billing-org_id"' in html
    assert "An e-invoice needs an OIN, a KvK number or a Peppol ID." in html
    assert Registration.objects.count() == 0


def test_einvoice_with_a_kvk_number_as_typed_is_stored(client, event, hall, paid):
    data = form_data(
        client,
        event,
        [paid],
        **{"billing-org_id": "4117 8444", "billing-einvoice": "on"},
    )

    response = _post(client, event, data)

    assert response.status_code == 302
    stored = Registration.objects.get()
    assert (stored.billing_org_id, stored.billing_einvoice) == ("41178444", True)


@pytest.mark.parametrize(
    ("peppol_id", "message"),
    [
        ("9999:123", "9999 is not a Peppol scheme."),
        ("0088:8712345678907", "With scheme 0088, give a GLN after the colon"),
        ("0184:12345678", "With scheme 0184, give a Danish CVR number"),
    ],
)
def test_a_peppol_id_the_peppol_rules_refuse_is_refused_at_the_field_and_saves_nothing(
    client, event, hall, paid, peppol_id, message
):
    # Its e-invoice would fail PEPPOL-EN16931-CL008 or a PEPPOL-COMMON rule.
    data = form_data(
        client,
        event,
        [paid],
        **{
            "billing-organisation": "Zoë Şahin-Łukasiewicz",
            "billing-peppol_id": peppol_id,
            "billing-einvoice": "on",
        },
    )

    html = _post(client, event, data).content.decode()

    assert 'id="id_billing-peppol_id_error"' in html
    assert message in html
    assert 'id="id_billing-org_id_error"' not in html  # the number's own message is enough
    assert Registration.objects.count() == 0


def test_register_two_attendees_keeps_their_order(client, event, hall, paid, resident):
    response = _post(client, event, form_data(client, event, [paid, resident]))

    assert response.status_code == 302
    attendees = Attendee.objects.order_by("order")
    assert [(a.given_name, a.ticket_type) for a in attendees] == [
        ("Ada0", paid),
        ("Ada1", resident),
    ]


def test_add_attendee_keeps_what_was_typed_and_judges_nothing_yet(client, event, hall, paid):
    data = form_data(client, event, [paid], action="add", **{"attendee-0-given_name": ""})

    response = _post(client, event, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="attendee_count" value="2"' in html
    assert 'name="attendee-1-given_name"' in html
    assert 'value="Bea Boeker"' in html
    assert "aria-invalid" not in html
    assert "Please correct" not in html
    assert re.search(r'name="attendee-1-given_name"[^>]* autofocus', html)
    assert f'value="{data["form_token"]}"' in html
    assert Registration.objects.count() == 0


def test_remove_attendee_moves_the_others_up(client, event, hall, paid, free):
    data = form_data(client, event, [paid, free], remove="0")
    data.pop("action")

    html = _post(client, event, data).content.decode()

    assert 'name="attendee_count" value="1"' in html
    assert 'name="attendee-0-given_name" value="Ada1"' in html
    assert "attendee-1-given_name" not in html
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("remove", ["x", "-1", "7"])
def test_remove_attendee_with_nonsense_index_changes_nothing(client, event, hall, paid, remove):
    data = form_data(client, event, [paid], remove=remove)
    data.pop("action")

    response = _post(client, event, data)

    assert response.status_code == 200
    assert 'name="attendee_count" value="1"' in response.content.decode()


def test_sold_out_says_so_and_saves_nothing(client, event, hall, free):
    hall.size = 1
    hall.save()

    html = _post(client, event, form_data(client, event, [free, free])).content.decode()

    assert "Not enough places are left for the ticket “Free”: 1 left, 2 asked for." in html
    assert 'role="alert"' in html
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("token", ["", "garbage"])
def test_expired_form_asks_to_send_again_with_a_fresh_token(client, event, hall, free, token):
    data = form_data(client, event, [free], form_token=token)

    html = _post(client, event, data).content.decode()

    assert "This form has expired. Check your details and submit them again." in html
    assert Registration.objects.count() == 0
    fresh = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert _post(client, event, {**data, "form_token": fresh}).status_code == 302


def test_same_form_sent_twice_gives_one_registration(client, event, hall, free):
    data = form_data(client, event, [free])

    first = _post(client, event, data)
    second = _post(client, event, data)

    assert first.status_code == second.status_code == 302
    assert second["Location"].split("?")[0] == first["Location"]
    assert Registration.objects.count() == 1


def test_same_form_from_another_browser_shows_no_secret_link(client, event, hall, free):
    data = form_data(client, event, [free])
    _post(client, event, data)

    html = _post(Client(), event, data).content.decode()

    assert "This form was already sent" in html
    assert Registration.objects.get().code in html
    assert "/manage/" not in html
    assert Registration.objects.count() == 1


def test_needs_without_consent_are_refused_at_the_consent_box(client, event, hall, free):
    data = form_data(client, event, [free], **{"attendee-0-dietary_wishes": "glutenvrij"})

    html = _post(client, event, data).content.decode()

    assert "Tick this box to share dietary wishes or accessibility needs" in html
    box = re.search(r'<input [^>]*name="attendee-0-special_category_consent"[^>]*>', html)
    assert 'aria-describedby="id_attendee-0-special_category_consent_helptext ' in box.group(0)
    assert "id_attendee-0-special_category_consent_error" in box.group(0)
    assert 'value="glutenvrij"' not in html  # a textarea: the text is its content
    assert ">\nglutenvrij</textarea>" in html
    assert Attendee.objects.count() == 0


def test_errors_are_summarised_and_tied_to_their_fields(client, event, hall, free):
    html = _post(client, event, {"form_token": form_token(client, event)}).content.decode()

    assert "<title>Error: Register" in html
    assert 'href="#id_booker-name">Your name</a><br>This field is required.</li>' in html
    field = re.search(r'<input type="text" name="booker-name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_booker-name_error"' in field
    assert 'id="id_booker-name_error"' in html


def test_errors_are_in_dutch_on_the_dutch_form(client, event, hall, free):
    token = form_token(client, event, language="nl")
    html = _post(client, event, {"form_token": token}, language="nl").content.decode()

    assert "Dit veld is verplicht." in html


def test_registration_pages_are_never_cached(client, event, hall, free):
    response = client.get(url(START, event.slug))

    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize(
    ("status", "shown"),
    [(EventStatus.REGISTRATION_OPEN, True), (EventStatus.PUBLISHED, False)],
)
def test_event_home_shows_tickets_and_register_link_only_while_open(
    client, event, hall, paid, status, shown
):
    event.status = status
    event.save()

    html = client.get(url("public:event.home", event.slug)).content.decode()

    assert (url(START, event.slug) in html) is shown
    assert ('id="tickets-heading"' in html) is shown
    assert ("€ 125,00 incl. VAT" in html) is shown
    assert "€ 125,00" in html  # the price is known before registration opens (the key facts)


def test_free_ticket_label_says_free_and_approval(client, event, resident):
    resident.includes_en = "lunch"
    resident.save()
    QuotaFactory(event=event, ticket_types=[resident])
    assert resident.price == Decimal("0")

    html = client.get(url(START, event.slug)).content.decode()

    assert "Resident: free (including lunch) — the organisers approve this registration" in html


FIELD_TEMPLATE = "public/registration/_field.html"


def _form(client, event, language="en"):
    response = client.get(url(START, event.slug, language=language))
    return response, response.content.decode()


def test_blank_form_fields_are_rendered_once_and_tokens_stay_per_visitor(client, event, hall):
    first, first_html = _form(client, event)
    second, second_html = _form(Client(), event)

    assert FIELD_TEMPLATE in [t.name for t in first.templates]
    assert FIELD_TEMPLATE not in [t.name for t in second.templates]
    assert 'for="id_attendee-0-given_name"' in second_html
    tokens = re.compile(r'name="(?:form_token|csrfmiddlewaretoken)" value="([^"]+)"')
    assert set(tokens.findall(first_html)).isdisjoint(tokens.findall(second_html))


def test_blank_form_shows_a_changed_ticket_or_new_question_at_once(client, event, hall, paid):
    _form(client, event)
    paid.price = Decimal("99.00")
    paid.save()
    QuestionFactory(event=event, label_en="Which workshop interests you?")

    _, html = _form(client, event)

    assert "€ 99,00 incl. VAT" in html
    assert "Which workshop interests you?" in html


def test_blank_form_is_cached_per_language(client, event, hall):
    _form(client, event, language="en")

    _, html = _form(client, event, language="nl")

    assert "Uw naam" in html
    assert "Your name" not in html


def test_form_with_errors_is_never_served_from_the_blank_cache(client, event, hall, free):
    _form(client, event)

    data = form_data(client, event, [free], **{"attendee-0-given_name": ""})

    response = _post(client, event, data)

    assert FIELD_TEMPLATE in [t.name for t in response.templates]


def test_form_refuses_fewer_of_a_ticket_than_its_minimum_and_says_so(client, event, hall, free):
    free.min_per_registration = 2
    free.save()

    page = client.get(url(START, event.slug)).content.decode()
    response = _post(client, event, form_data(client, event, [free]))

    assert "for at least 2 people per registration" in page
    assert response.status_code == 200
    assert response.context["forms"].attendees[0].errors["ticket_type"] == [
        "With the ticket “Free” you register at least 2 people. Add people or choose another "
        "ticket."
    ]
    assert Registration.objects.count() == 0
    assert _post(client, event, form_data(client, event, [free, free])).status_code == 302


def test_form_refuses_more_of_a_ticket_than_its_maximum_and_says_so(client, event, hall, free):
    free.max_per_registration = 1
    free.save()

    response = _post(client, event, form_data(client, event, [free, free]))

    assert response.context["forms"].attendees[0].errors["ticket_type"] == [
        "One registration holds at most 1 of the ticket “Free”."
    ]
    assert Registration.objects.count() == 0


def test_a_vat_number_as_typed_is_stored_compact_and_shown(client, event, hall, paid):
    html = client.get(url(START, event.slug)).content.decode()
    assert 'for="id_billing-vat_number"' in html
    data = form_data(client, event, [paid], **{"billing-vat_number": "nl 0044.95.445 b01"})

    response = _post(client, event, data)

    assert response.status_code == 302
    assert Registration.objects.get().billing_vat_number == "NL004495445B01"
    assert "NL004495445B01" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("vat_number", "message"),
    [
        ("NL004495446B01", "This is not a valid VAT number (such as NL001234567B01)."),
        ("004495445B01", "Start the VAT number with its country code"),
        ("GB980780684", "GB is not a country of the European Union."),
    ],
    ids=["wrong check digit", "no country code", "outside the EU"],
)
def test_a_vat_number_that_is_not_a_valid_eu_one_is_refused_at_the_field_and_saves_nothing(
    client, event, hall, paid, vat_number, message
):
    data = form_data(client, event, [paid], **{"billing-vat_number": vat_number})

    html = _post(client, event, data).content.decode()

    assert 'id="id_billing-vat_number_error"' in html
    assert 'href="#id_billing-vat_number"' in html
    assert message in html
    assert Registration.objects.count() == 0


def test_a_wrong_vat_number_is_refused_in_dutch_on_the_dutch_form(client, event, hall, paid):
    data = form_data(client, event, [paid], **{"billing-vat_number": "004495445B01"})

    html = _post(client, event, data, language="nl").content.decode()

    assert "Begin het btw-nummer met de landcode, zoals NL voor Nederland" in html
    assert Registration.objects.count() == 0


def test_the_vat_numbers_help_is_plain_dutch(client, event, hall):
    # The field's help is no template text, so the page-wide check does not see it.
    from tests.test_plain_language import LONGEST_SENTENCE, PLAIN, flesch_douma

    html = client.get(url(START, event.slug, language="nl")).content.decode()
    help_text = (
        "Alleen als uw organisatie haar btw-nummer op de factuur wil. Begin met de landcode, "
        "zoals NL001234567B01."
    )

    assert help_text in html
    score, longest = flesch_douma(help_text)
    assert (score >= PLAIN, longest <= LONGEST_SENTENCE) == (True, True)
