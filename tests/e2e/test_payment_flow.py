"""A booker on a phone chooses bank transfer in the form, registers after the review and
finds the IBAN, the payment reference and the invoice on the confirmation and the manage
page; axe-core checks each page."""

import re

import pytest
from django.utils import translation

from goedeburen.events.demo import SLUG
from goedeburen.payments.demo import IBAN

from .test_registration_flow import _assert_accessible, _fill_attendee, registration_open  # noqa: F401

pytestmark = pytest.mark.e2e


def test_booker_pays_by_bank_transfer_on_a_phone(visit, registration_open):  # noqa: F811
    with translation.override("en"):
        home = f"/en/{SLUG}/"
    tab = visit(home, viewport="360px")
    tab.get_by_role("link", name="Register", exact=True).first.click()
    tab.wait_for_load_state()
    tab.get_by_label("Your name").fill("Bea Boeker")
    tab.get_by_label("Your email address").fill("bea@example.org")
    _fill_attendee(tab, 1, given_name="Ada", family_name="de Vries")
    tab.get_by_label("Organisation or name on the invoice").fill("Woonstichting De Linde")
    tab.get_by_label("Invoice address").fill("Lindelaan 1\n3500 AA Utrecht")
    tab.get_by_role("radio", name="By bank transfer").check()
    tab.get_by_role("button", name="Next: check your registration", exact=True).last.click()
    tab.wait_for_load_state()
    assert "By bank transfer" in tab.locator("main").inner_text()
    tab.get_by_role("button", name="Register for good", exact=True).click()
    tab.wait_for_load_state()
    assert IBAN in tab.locator("main").inner_text()  # the transfer details, at once
    _assert_accessible(tab, "confirmation with the transfer details", javascript=True)

    tab.locator(".reg-link a").click()
    tab.wait_for_load_state()

    main = tab.locator("main").inner_text()
    assert IBAN in main
    reference = re.search(r"RF\d\d( [A-Z0-9]{4}){2}", main)
    assert reference, main
    invoice = tab.get_by_role("link", name=re.compile(r"^Invoice \d{4}-\d{4}"))
    assert invoice.is_visible()
    _assert_accessible(tab, "manage page with transfer details", javascript=True)
    with tab.expect_download() as download:
        invoice.click()
    assert download.value.suggested_filename.endswith(".pdf")
