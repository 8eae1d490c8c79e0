"""Default templates for every kind, the organiser's own texts with placeholders, escaping."""

import pytest
from django.utils import translation

from goedeburen.mail import composing, placeholders, services
from goedeburen.mail.enums import EDITABLE_KINDS, MailKind
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import MailTemplate, OutgoingMail
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import AttendeeFactory, RegistrationFactory
from tests.mail.conftest import part

pytestmark = pytest.mark.django_db

MISSING = "MISSING-PLACEHOLDER[%s]"
# What each kind's context brings besides the placeholders (as the receivers give it).
CONTEXTS = {
    MailKind.APPROVED: {"message": "Tot dan!"},
    MailKind.REJECTED: {"message": "Helaas vol."},
    MailKind.CANCELLATION: {"reason": "hold_expired", "by_organiser": False},
    MailKind.ATTENDEE_CANCELLED: {
        "attendee_name": "Cor Collega",
        "amount": "€ 125,00",
        "free": True,
        "reason": "Ziek",
        "by_organiser": True,
    },
    MailKind.BOOKER_REPLACED: {"new_name": "Cor Collega"},
    MailKind.PAYMENT_AFTER_CANCELLATION: {"amount": "€ 125,00", "money": "refund"},
    MailKind.REFUND_MADE: {
        "amount": "€ 125,00",
        "refund_provider": "bank_transfer",
        "refund_account": "4300",
    },
}


@pytest.fixture
def strict_templates(settings):
    """Make a variable a template uses but nobody gave show up in the output."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine.get("OPTIONS", {}), "string_if_invalid": MISSING}}
    ]


def _registration(event, ticket, *, status, name="Bea Boeker", language="nl"):
    registration = RegistrationFactory(
        event=event, status=status, booker_name=name, language=language
    )
    AttendeeFactory(registration=registration, ticket_type=ticket, given_name=name)
    return registration


def _compose(registration, kind, *, context=None):
    mail = services.queue_registration_mail(registration, kind=kind, **(context or {}))
    return composing.compose(OutgoingMail.objects.get(pk=mail.pk))


@pytest.mark.parametrize("kind", EDITABLE_KINDS)
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("status", RegistrationStatus.values)
def test_every_default_renders_without_a_missing_placeholder(
    strict_templates, event, ticket, kind, language, status
):
    registration = _registration(event, ticket, status=status, language=language)
    if kind == MailKind.SUBSTITUTE_TICKET and status != RegistrationStatus.CONFIRMED:
        # Its ticket is valid only while the registration is confirmed: refused, not sent.
        with pytest.raises(MailError) as refused:
            _compose(registration, kind, context=CONTEXTS.get(kind))
        assert refused.value.code == "not_confirmed"
        return

    rendered = _compose(registration, kind, context=CONTEXTS.get(kind)).rendered

    everything = rendered.subject + rendered.text + rendered.html
    assert "MISSING-PLACEHOLDER" not in everything
    assert "{{" not in everything and "{%" not in everything
    assert rendered.subject.strip() and "Bea Boeker" in rendered.text
    assert rendered.html.startswith(f'<!DOCTYPE html>\n<html lang="{language}">')


@pytest.mark.parametrize("kind", EDITABLE_KINDS)
def test_every_default_has_a_dutch_and_an_english_text(event, ticket, kind):
    registration = _registration(event, ticket, status=RegistrationStatus.CONFIRMED)
    texts = {}
    for language in ("nl", "en"):
        registration.language = language
        registration.save()
        texts[language] = _compose(registration, kind, context=CONTEXTS.get(kind)).rendered.text

    assert texts["nl"] != texts["en"]
    assert texts["nl"].startswith("Beste Bea Boeker,") and texts["en"].startswith("Dear Bea")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_payment_after_cancellation_says_what_becomes_of_the_money(
    strict_templates, event, ticket, language
):
    registration = _registration(
        event, ticket, status=RegistrationStatus.CANCELLED, language=language
    )
    said = {}
    for money in ("refund", "pay_back", "owed", "seat_lost"):
        context = {"amount": "€ 125,00", "money": money}
        rendered = _compose(registration, MailKind.PAYMENT_AFTER_CANCELLATION, context=context)
        everything = rendered.rendered.text + rendered.rendered.html
        assert "MISSING-PLACEHOLDER" not in everything and "€ 125,00" in everything
        said[money] = rendered.rendered.text

    assert len(set(said.values())) == 4


@pytest.mark.parametrize("kind", [MailKind.CONFIRMATION, MailKind.PRACTICAL_INFO])
def test_a_script_name_arrives_escaped_in_html_and_as_written_in_text(event, ticket, kind):
    name = '<script>alert("x")</script>'
    registration = _registration(event, ticket, status=RegistrationStatus.CONFIRMED, name=name)

    rendered = _compose(registration, kind).rendered

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered.html
    assert name in rendered.text


def test_organisers_text_replaces_the_default_and_escapes_values(event, ticket):
    registration = _registration(
        event, ticket, status=RegistrationStatus.CONFIRMED, name="<b>Bea</b>"
    )
    services.save_mail_template(
        event,
        kind=MailKind.CONFIRMATION,
        language="nl",
        subject="Welkom {{ name }} ({{code}})",
        body="Hallo {{ name }} & co,\n\nJe link: {{ manage_url }}\nTot {{ date }}.",
    )

    rendered = _compose(
        registration, MailKind.CONFIRMATION, context={"manage_token": "t0k"}
    ).rendered

    assert rendered.subject == f"Welkom <b>Bea</b> ({registration.code})"
    assert rendered.text.startswith(
        f"Hallo <b>Bea</b> & co,\n\nJe link: http://127.0.0.1:8000/{event.slug}/register/manage/"
        f"{registration.code}/t0k/\nTot vrijdag 5 maart 2027.\n"
    )
    assert "<p>Hallo &lt;b&gt;Bea&lt;/b&gt; &amp; co,</p>" in rendered.html
    url = f"http://127.0.0.1:8000/{event.slug}/register/manage/{registration.code}/t0k/"
    assert f'Je link: <a href="{url}">{url}</a><br>' in rendered.html


def test_organisers_text_in_one_language_leaves_the_other_default(event, ticket):
    registration = _registration(event, ticket, status=RegistrationStatus.CONFIRMED, language="en")
    services.save_mail_template(
        event, kind=MailKind.CONFIRMATION, language="nl", subject="Eigen", body="Eigen tekst"
    )

    rendered = _compose(registration, MailKind.CONFIRMATION).rendered

    assert rendered.subject.startswith("Your registration")


@pytest.mark.parametrize(
    ("subject", "body", "unknown"),
    [
        ("Hallo {{ naam }}", "tekst", "{{ naam }}"),
        ("Hallo", "{{ name }} {{ evil.__class__ }} {{ x }}", "{{ x }}"),
    ],
)
def test_unknown_placeholder_is_refused_and_nothing_is_stored(event, subject, body, unknown):
    with pytest.raises(MailError) as refused, translation.override("en"):
        services.save_mail_template(
            event, kind=MailKind.CONFIRMATION, language="nl", subject=subject, body=body
        )

    assert refused.value.code == "unknown_placeholder"
    assert unknown in refused.value.message
    assert MailTemplate.objects.count() == 0


def test_template_tags_in_an_organisers_text_are_only_text(event, ticket):
    registration = _registration(event, ticket, status=RegistrationStatus.CONFIRMED)
    body = "{% load static %}{% debug %}{{ name }} {{ settings.SECRET_KEY }}"
    # `{{ settings.SECRET_KEY }}` is no placeholder syntax (a dot), so it stays text too.
    services.save_mail_template(
        event, kind=MailKind.CONFIRMATION, language="nl", subject="S", body=body
    )

    rendered = _compose(registration, MailKind.CONFIRMATION).rendered

    assert rendered.text.startswith(
        "{% load static %}{% debug %}Bea Boeker {{ settings.SECRET_KEY }}\n"
    )


def test_reset_goes_back_to_the_default(event, ticket):
    registration = _registration(event, ticket, status=RegistrationStatus.CONFIRMED)
    services.save_mail_template(
        event, kind=MailKind.CONFIRMATION, language="nl", subject="Eigen", body="Eigen"
    )

    services.reset_mail_template(event, kind=MailKind.CONFIRMATION, language="nl")

    assert _compose(registration, MailKind.CONFIRMATION).rendered.subject.startswith(
        "Uw aanmelding"
    )


@pytest.mark.parametrize("kind", EDITABLE_KINDS)
def test_starter_text_is_the_default_with_placeholders_that_all_exist(kind):
    subject, body = composing.starter_text(kind, language="nl")

    assert placeholders.unknown_in(subject + body) == []
    assert body.startswith("Beste {{ name }},")
    assert "\n--\n" not in body


def test_worker_sends_the_organisers_text(smtp, register, event):
    services.save_mail_template(
        event,
        kind=MailKind.CONFIRMATION,
        language="nl",
        subject="Gelukt: {{ code }}",
        body="Beste {{ name }},\n\nTot {{ date }}!",
    )
    registration = register()

    services.deliver(OutgoingMail.objects.get())

    [message] = smtp.messages
    assert message["Subject"] == f"Gelukt: {registration.code}"
    text = part(message, "text/plain").replace("\r\n", "\n")
    assert text.startswith("Beste Bea Boeker,\n\nTot vrijdag 5 maart 2027!\n\n--\n")


def test_an_organisers_payment_after_cancellation_text_names_the_amount(event, ticket):
    # The default text says how much came in; the organiser's own text can say it too.
    kind = MailKind.PAYMENT_AFTER_CANCELLATION
    own = {"subject": "Uw betaling van {{ amount }}", "body": "Beste {{ name }},\n\n"}
    own["body"] += "We kregen {{ amount }} voor {{ code }}."
    services.save_mail_template(event, kind=kind, language="nl", **own)
    registration = _registration(event, ticket, status=RegistrationStatus.CANCELLED)

    rendered = _compose(registration, kind, context={"amount": "€ 125,00"}).rendered

    assert rendered.subject == "Uw betaling van € 125,00"
    assert rendered.text.startswith(
        f"Beste Bea Boeker,\n\nWe kregen € 125,00 voor {registration.code}.\n"
    )


def test_the_amount_placeholder_is_in_the_help_and_the_starter_text():
    with translation.override("en"):
        rows = dict(placeholders.help_rows())
    _subject, body = composing.starter_text(MailKind.PAYMENT_AFTER_CANCELLATION, language="nl")
    _subject, partly = composing.starter_text(MailKind.ATTENDEE_CANCELLED, language="en")

    assert rows["{{ amount }}"] == (
        "the amount the mail is about: a payment for a cancelled registration, a cancelled "
        "ticket, or a refund"
    )
    assert body.startswith("Beste {{ name }},\n\nWe hebben {{ amount }} ontvangen")
    # Whether a cancelled ticket is refunded depends on the cancellation: a starter text
    # used for every one of them says neither.
    assert "refunded" not in partly and "get it back" not in partly


def test_attendees_placeholder_in_a_mail_to_one_attendee_names_only_them(event, ticket):
    # A mailing to attendees goes to each colleague: the booking's other people and their
    # tickets (a resident's free one marks them) are the booker's to see, not theirs.
    from tests.factories import TicketTypeFactory

    registration = RegistrationFactory(event=event)
    colleague = AttendeeFactory(registration=registration, ticket_type=ticket, given_name="Ada")
    resident = TicketTypeFactory(event=event, name_nl="Bewoner")
    AttendeeFactory(registration=registration, ticket_type=resident, given_name="Gerrit")

    def attendees(attendee=None) -> str:
        source = placeholders.Source(event=event, registration=registration, attendee=attendee)
        return placeholders.values_for(source, only={"attendees"})["attendees"]

    assert "Gerrit" in attendees() and "Bewoner" in attendees()
    assert attendees(colleague) == f"- {colleague.full_name} ({ticket.t.name})"
