"""Sold out shows up front (issue 17): on the event page and in the form's ticket choice,
before anyone fills it in, with the waiting list as the main action; on a phone, in Dutch
and English, checked by axe-core. A module of its own: every quota is full meanwhile."""

import re

import pytest
from django.db.models import F

from goedeburen.events.demo import SLUG

from .test_participant_way import _accessible, _path, phone  # noqa: F401
from .test_registration_flow import registration_open  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sold_out(registration_open, django_db_blocker):  # noqa: F811
    """Every quota of the demo full (committed, for the live server); as it was afterwards."""
    from goedeburen.registration.models import Quota

    with django_db_blocker.unblock():
        quotas = Quota.objects.filter(event__slug=SLUG)
        taken = dict(quotas.values_list("pk", "taken"))
        quotas.update(taken=F("size"))
    yield
    with django_db_blocker.unblock():
        for pk, value in taken.items():
            Quota.objects.filter(pk=pk).update(taken=value)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_sold_out_shows_on_the_event_page_and_the_form_before_filling_in(
    sold_out,
    phone,  # noqa: F811
    language,
):
    tab = phone()
    tab.goto(_path(language, ""))
    tickets = tab.locator(".tickets").inner_text()
    assert ("Uitverkocht" if language == "nl" else "Sold out") in tickets
    main_action = tab.locator(".tickets .utrecht-button-link--primary-action")
    assert main_action.inner_text() == (
        "Op de wachtlijst zetten" if language == "nl" else "Join the waiting list"
    )
    _accessible(tab, "sold-out event page")

    main_action.click()
    tab.wait_for_url(re.compile(r"/register/$"))
    assert tab.locator(".reg-sold-out").is_visible()
    primary = tab.locator(".reg-actions .utrecht-button--primary-action")
    assert primary.get_attribute("value") == "waiting_list"
    assert tab.locator('.reg-actions [value="register"]').count() == 0
    labels = tab.locator("#attendee-1").inner_text()
    assert ("uitverkocht" if language == "nl" else "sold out") in labels
    # No word broken in the middle on a phone.
    assert tab.evaluate(
        "() => [...document.querySelectorAll('.utrecht-alert')]"
        ".every(e => getComputedStyle(e).wordBreak !== 'break-all')"
    )
    _accessible(tab, "sold-out form")
