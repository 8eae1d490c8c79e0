"""Consent records: what was shown, when, the answer; a withdrawal works at once."""

import pytest

from goedeburen.mail import queries as mail_queries
from goedeburen.privacy import services, statement
from goedeburen.privacy.enums import ConsentKind, ConsentSource
from goedeburen.privacy.models import ConsentRecord
from goedeburen.registration.models import Answer, Attendee
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(register, event, free_ticket):
    diet = factories.QuestionFactory(event=event, label_nl="Allergieën", special_category=True)
    plain = factories.QuestionFactory(event=event, label_nl="Werkplaats")
    registration = register(
        free_ticket,
        event=event,
        attendees=[
            factories.attendee(
                free_ticket,
                special_category_consent=True,
                dietary_wishes="veganistisch",
                accessibility_needs="ringleiding",
                photo_consent=True,
                answers={diet.pk: "noten", plain.pk: "de tweede"},
            )
        ],
    )
    return registration


def test_booking_records_every_consent_with_the_text_version_shown(needs):
    records = {(r.kind, r.given) for r in ConsentRecord.objects.filter(registration=needs)}

    assert records == {
        (ConsentKind.PRIVACY_STATEMENT, True),
        (ConsentKind.MAILINGS, True),
        (ConsentKind.SPECIAL_CATEGORIES, True),
        (ConsentKind.PHOTOS, True),
        (ConsentKind.ATTENDEE_LIST, False),
    }
    shown = ConsentRecord.objects.get(kind=ConsentKind.PRIVACY_STATEMENT)
    current = statement.current(needs.event, language="nl")
    assert (shown.version, shown.text_digest) == ("0", current.digest)
    assert shown.source == ConsentSource.FORM


def test_withdrawing_special_categories_erases_those_answers_at_once(needs):
    attendee = Attendee.objects.get(registration=needs)

    services.withdraw_consent(needs, kind=ConsentKind.SPECIAL_CATEGORIES, attendee=attendee)

    attendee.refresh_from_db()
    assert (attendee.dietary_wishes, attendee.accessibility_needs) == ("", "")
    assert attendee.special_category_consent is False
    assert list(Answer.objects.filter(attendee=attendee).values_list("value", flat=True)) == [
        "de tweede"
    ]
    latest = ConsentRecord.objects.filter(kind=ConsentKind.SPECIAL_CATEGORIES).last()
    assert (latest.given, latest.source) == (False, ConsentSource.PERSONAL_PAGE)


def test_withdrawal_works_after_the_edit_deadline_too(needs, event):
    import datetime as dt

    from django.utils import timezone

    from goedeburen.registration.models import RegistrationSettings

    RegistrationSettings.objects.update_or_create(
        event=event, defaults={"edit_deadline": timezone.now() - dt.timedelta(days=1)}
    )
    attendee = Attendee.objects.get(registration=needs)

    services.withdraw_consent(needs, kind=ConsentKind.PHOTOS, attendee=attendee)

    attendee.refresh_from_db()
    assert attendee.photo_consent is False
    assert ConsentRecord.objects.filter(kind=ConsentKind.PHOTOS).last().given is False


def test_withdrawing_mailings_opts_the_address_out(needs, event):
    services.withdraw_consent(needs, kind=ConsentKind.MAILINGS)

    assert mail_queries.is_opted_out(event, needs.email)
    assert ConsentRecord.objects.filter(kind=ConsentKind.MAILINGS).last().given is False


def test_a_new_statement_is_a_new_version(event):
    services.save_statement(event, text_nl="## Wie\n\n{{ organiser }} is verantwoordelijk.")
    second = services.save_statement(event, text_nl="Versie twee, {{ anonymise_months }} maanden.")

    shown = statement.current(event, language="nl")
    assert (second.version, shown.version) == (2, 2)
    assert shown.text == "Versie twee, 24 maanden."


@pytest.mark.parametrize(
    "change",
    ["statement", "retention", "organiser", "payments"],
)
def test_a_booking_records_the_statement_shown_now_though_it_is_cached(
    register, event, free_ticket, change
):
    from goedeburen.events.models import Event
    from goedeburen.payments.models import PaymentSettings
    from goedeburen.privacy.models import PrivacySettings

    register(free_ticket, event=Event.objects.get(pk=event.pk))  # caches the statement shown
    if change == "statement":
        services.save_statement(event, text_nl="Nieuw: {{ organiser }}.")
    elif change == "retention":
        services.save_privacy_settings(
            PrivacySettings(special_category_days=10, anonymise_months=12), event=event
        )
    elif change == "organiser":
        event.organiser.name = "Stichting Andere Naam"
        event.organiser.save()
    else:
        mollie = PaymentSettings.objects.filter(event=event, mollie_enabled=True).exists()
        PaymentSettings.objects.update_or_create(
            event=event, defaults={"mollie_enabled": not mollie}
        )
    fresh = Event.objects.get(pk=event.pk)  # as the next request reads it

    later = register(free_ticket, event=fresh)

    shown = ConsentRecord.objects.get(registration=later, kind=ConsentKind.PRIVACY_STATEMENT)
    assert shown.text_digest == statement.current(fresh, language="nl").digest
    first = ConsentRecord.objects.exclude(registration=later).get(
        kind=ConsentKind.PRIVACY_STATEMENT
    )
    assert first.text_digest != shown.text_digest
