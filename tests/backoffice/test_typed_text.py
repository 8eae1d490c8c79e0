"""Text typed into the organisers' own forms is tidied as the public form tidies it: names
and other short texts on one line, addresses line by line, written texts with their layout;
control characters never reach a page, a badge, a PDF or an e-invoice."""

import pytest

from goedeburen.backoffice.forms.exports import PresetForm
from goedeburen.backoffice.forms.mail import MailTemplateForm
from goedeburen.backoffice.forms.payments import (
    DismissForm,
    ManualPaymentForm,
    OrganiserBillingForm,
    ReissueForm,
)
from goedeburen.backoffice.forms.privacy import StatementForm
from goedeburen.backoffice.forms.survey import QuestionForm as SurveyQuestionForm
from goedeburen.backoffice.views.registration_actions import MessageForm
from tests.backoffice.conftest import url
from tests.backoffice.test_guards import event_data

pytestmark = pytest.mark.django_db


def test_event_form_puts_a_name_on_one_line_and_keeps_a_descriptions_paragraphs(
    owner_client, world
):
    data = event_data(
        world.event,
        name_nl="\ufeffGoede\u0007 buren\r\n2027",
        contact_name="Zoe\u0308 Şahin\t",
        description_nl="Wonen met\x1b elkaar.\r\n\r\n## Voor wie\r\n  Iedereen\x0c",
    )

    response = owner_client.post(url("event.update", world), data)

    assert response.status_code == 302
    world.event.refresh_from_db()
    assert (world.event.name_nl, world.event.contact_name, world.event.description_nl) == (
        "Goede buren 2027",
        "Zoë Şahin",
        "Wonen met elkaar.\n\n## Voor wie\n  Iedereen",
    )


def test_event_form_refuses_a_name_that_tidies_to_nothing(owner_client, world):
    name = world.event.name_nl

    response = owner_client.post(
        url("event.update", world), event_data(world.event, name_nl="\ufeff\u0007\r\n")
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["name_nl"]
    world.event.refresh_from_db()
    assert world.event.name_nl == name


def test_venue_form_puts_the_street_on_one_line_and_keeps_the_routes_lines(owner_client, world):
    data = {
        "name": "Het Huis van\u00a0Portaal",
        "street": "Beneluxlaan\t9\x07",
        "postal_code": "3527\r\nHT",
        "city": "Utrecht",
        "route_nl": "Vanaf Utrecht Centraal:\r\n\r\n- bus 2\x1b\r\n- bus 8",
    }

    response = owner_client.post(url("venue.update", world), data)

    assert response.status_code == 302
    world.venue.refresh_from_db()
    assert (
        world.venue.name,
        world.venue.street,
        world.venue.postal_code,
        world.venue.route_nl,
    ) == (
        "Het Huis van Portaal",
        "Beneluxlaan 9",
        "3527 HT",
        "Vanaf Utrecht Centraal:\n\n- bus 2\n- bus 8",
    )


def test_organiser_billing_keeps_the_address_lines_for_the_invoice():
    form = OrganiserBillingForm(
        {
            "legal_name": "Stichting\r\nGoede Buren\x07",
            "address": "Beneluxlaan 9\x0b\r\n\r\n3527 HT  Utrecht",
            "kvk_number": "1234 5678\ufeff",
            "vat_number": "NL001000007B01",
            "iban": "NL91 ABNA 0417 1643 00",
            "account_name": "Stichting Goede Buren",
        }
    )

    assert form.is_valid(), form.errors
    assert (
        form.cleaned_data["legal_name"],
        form.cleaned_data["address"],
        form.cleaned_data["kvk_number"],
    ) == ("Stichting Goede Buren", "Beneluxlaan 9\n3527 HT Utrecht", "12345678")


def _form(form_class, data, **kwargs):
    form = form_class(data, **kwargs)
    assert form.is_valid(), form.errors
    return form.cleaned_data


@pytest.mark.parametrize(
    ("form_class", "data", "field", "cleaned"),
    [
        (ReissueForm, {"reason": "Verkeerd\r\nPO-nummer\x07"}, "reason", "Verkeerd PO-nummer"),
        (DismissForm, {"note": "\ufeffTerugboeking\tbank"}, "note", "Terugboeking bank"),
        (
            ManualPaymentForm,
            {"amount": "10", "note": "Contant\x07\r\n\r\nbij de balie"},
            "note",
            "Contant\nbij de balie",
        ),
        (
            StatementForm,
            {"text_nl": "## Wie\x1b zijn wij\r\n\r\n  Stichting"},
            "text_nl",
            "## Wie zijn wij\n\n  Stichting",
        ),
        (
            SurveyQuestionForm,
            {"kind": "single", "label_nl": "Hoe\r\nwas het?\x07", "options": "Goed\r\n\r\nSlecht"},
            "label_nl",
            "Hoe was het?",
        ),
        (
            SurveyQuestionForm,
            {"kind": "single", "label_nl": "Hoe?", "options": "Goed\x0b\r\n\r\n Slecht "},
            "options",
            "Goed\nSlecht",
        ),
        (
            MessageForm,
            {"confirm": "yes", "message": "Welkom!\r\n\r\nTot dan,\x07\r\n  Bea"},
            "message",
            "Welkom!\n\nTot dan,\n  Bea",
        ),
        (PresetForm, {"name": "Namen\t\x1bbadge", "shared": "yes"}, "name", "Namen badge"),
    ],
)
def test_free_text_of_other_screens_is_tidied(form_class, data, field, cleaned):
    assert _form(form_class, data)[field] == cleaned


def test_mail_text_keeps_its_paragraphs_and_its_subject_stays_one_header_line(world):
    data = {"subject": "Welkom\r\nBcc: iedereen@example.org", "body": "Beste,\r\n\r\nTot\x07 dan"}

    cleaned = _form(MailTemplateForm, data, event=world.event)

    assert (cleaned["subject"], cleaned["body"]) == (
        "Welkom Bcc: iedereen@example.org",
        "Beste,\n\nTot dan",
    )
