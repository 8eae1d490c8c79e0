"""One clear way on a phone (issue 17), in Dutch and English: the way to pay chosen in the
form, a review with attendees, total, VAT, the way to pay and the terms (axe-core clean),
"back to the form" keeping everything, then one binding click; a care worker registers a
resident with the resident's consent and without the resident's email address."""

import re

import pytest

from .test_participant_way import (  # noqa: F401
    _accessible,
    _fill,
    _final_button,
    _path,
    phone,
)
from .test_registration_flow import registration_open  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("registration_open")]

TEXT = {
    "nl": {
        "review": "Controleer uw aanmelding",
        "back": "Terug naar het formulier",
        "provider": "Op factuur, voor organisaties",
        "vat": "Btw 21%",
        "terms": "privacyverklaring",
        "on_behalf": "U meldt iemand anders aan.",
        "confirmed": "Uw aanmelding is bevestigd.",
    },
    "en": {
        "review": "Check your registration",
        "back": "Back to the form",
        "provider": "On invoice, for organisations",
        "vat": "VAT 21%",
        "terms": "privacy statement",
        "on_behalf": "You register someone else.",
        "confirmed": "Your registration is confirmed.",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_way_through_payment_choice_review_and_one_binding_click(phone, language):  # noqa: F811
    text = TEXT[language]
    email = f"zorg-{language}@example.org"
    tab = phone()
    tab.goto(_path(language, "register/"))
    _fill(tab, email=email, given_name="Fatima", provider="invoice")
    tab.check('[name="booker-on_behalf"]')
    tab.check('[name="booker-on_behalf_consent"]')  # shown once the box above is ticked
    assert tab.input_value('[name="attendee-0-email"]') == ""  # the resident has none

    binding = _final_button(tab, language)

    assert tab.get_by_role("heading", level=1).inner_text() == text["review"]
    main = tab.locator("main").inner_text()
    assert "Fatima de Vries" in main
    assert "€ 125,00" in main
    assert text["vat"] in main
    assert text["provider"] in main
    assert text["terms"] in main
    assert text["on_behalf"] in main
    _accessible(tab, "review")

    # Back to the form keeps everything, the way to pay and the consent too.
    tab.locator(".reg-actions").get_by_role("button", name=text["back"]).click()
    tab.wait_for_load_state()
    assert tab.input_value('[name="attendee-0-given_name"]') == "Fatima"
    assert tab.is_checked('[name="payment-provider"][value="invoice"]')
    assert tab.is_checked('[name="booker-on_behalf_consent"]')

    _final_button(tab, language).click()
    tab.wait_for_url(re.compile(r"/register/done/"))

    from goedeburen.registration.models import Registration

    registration = Registration.objects.get(email=email)
    assert registration.status == "confirmed"  # on invoice: confirmed at once
    assert registration.on_behalf_by == "Bea Boeker"
    assert registration.on_behalf_consent_at is not None
    assert text["confirmed"] in tab.locator("main").inner_text()
    assert "/register/manage/" in tab.locator(".reg-link a").get_attribute("href")
    _accessible(tab, "confirmation after the review")
    assert binding.count() == 0  # the review is behind us
