"""An event's settings saved for the first time twice at once, on PostgreSQL: one row, no 500."""

import pytest
from django.db import IntegrityError, connection

from goedeburen.mail import services as mail_services
from goedeburen.mail.models import MailSettings
from goedeburen.mail.services import participants
from goedeburen.matching import services as matching_services
from goedeburen.matching.models import MatchingSettings
from goedeburen.matching.services import preferences
from goedeburen.privacy import services as privacy_services
from goedeburen.privacy.models import PrivacySettings
from goedeburen.privacy.services import settings as privacy_settings
from tests.factories import OpenEventFactory
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# (the module that saves, the model, saving a form's new instance as the view does)
SCREENS = {
    "privacy": (
        privacy_settings,
        PrivacySettings,
        lambda event, n: privacy_services.save_privacy_settings(
            PrivacySettings(event=event, special_category_days=10 + n), event=event
        ),
    ),
    "matching": (
        preferences,
        MatchingSettings,
        lambda event, n: matching_services.save_matching_settings(
            MatchingSettings(event=event), by=None
        ),
    ),
    "mail": (
        participants,
        MailSettings,
        lambda event, n: mail_services.save_mail_settings(
            MailSettings(event=event, practical_info_days_before=3 + n), event=event
        ),
    ),
}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.mark.parametrize("screen", SCREENS)
def test_settings_saved_for_the_first_time_twice_at_once_make_one_row(screen):
    _module, model, save = SCREENS[screen]
    event = OpenEventFactory()

    results = all_at_once(2, lambda n: save(event, n))

    assert not any(isinstance(r, Exception) for r in results), results
    assert model.objects.filter(event=event).count() == 1


@pytest.mark.parametrize("screen", SCREENS)
def test_negative_control_a_plain_save_breaks_the_second_on_the_unique_key(screen, monkeypatch):
    module, model, save = SCREENS[screen]
    monkeypatch.setattr(module, "save_the_one", lambda instance, **owner: instance.save())
    event = OpenEventFactory()

    results = all_at_once(2, lambda n: save(event, n))

    assert sum(isinstance(r, IntegrityError) for r in results) == 1, results
