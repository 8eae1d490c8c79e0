"""The demo loads the mail settings: schedules on, the publication with both tickets."""

import pytest

from goedeburen.mail.models import MailSettings
from goedeburen.registration.models import TicketType

pytestmark = pytest.mark.django_db


def test_demo_mail_settings(demo_event):
    settings = MailSettings.objects.get(event=demo_event)

    assert (settings.practical_info_days_before, settings.thank_you_days_after) == (7, 1)
    # The announcement's tickets; the matching demo's hidden ticket includes no publication.
    assert set(settings.publication_ticket_types.all()) == set(
        TicketType.objects.filter(event=demo_event, visible=True)
    )
    assert demo_event.contact_email  # the contact form's secretariat, from the seed


def test_demo_loads_twice_without_changing_the_mail_settings(demo_event):
    from goedeburen.events.demo import load_demo

    first = MailSettings.objects.get(event=demo_event).pk
    load_demo()

    assert list(MailSettings.objects.values_list("pk", flat=True)) == [first]
