"""The organiser's mail screens: texts with preview and test, mailings with count, test,
start and progress, the mail settings with the publication, the mails of a registration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goedeburen.mail.enums import MailingState, MailKind
from goedeburen.mail.models import Mailing, MailSettings, MailTemplate, OutgoingMail
from tests.factories import OutgoingMailFactory

pytestmark = pytest.mark.django_db


def _url(name, world, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, **kwargs})


def _text_url(world, kind="confirmation", language="nl"):
    return _url("mail_template.update", world, kind=kind, language=language)


def test_text_list_shows_every_kind_in_both_languages(owner_client, world):
    html = owner_client.get(_url("mail_template.list", world)).content.decode()

    for kind in ("confirmation", "practical_info", "thank_you", "payment_reminder"):
        for language in ("nl", "en"):
            assert _text_url(world, kind, language) in html


def test_editor_starts_from_the_default_with_placeholders(owner_client, world):
    response = owner_client.get(_text_url(world))

    form = response.context["form"]
    assert form.initial["body"].startswith("Beste {{ name }},")
    assert "{{ code }}" in form.initial["subject"]


def test_preview_shows_the_text_for_a_real_registration_escaped(owner_client, world):
    world.registration.booker_name = "<script>Bea</script>"
    world.registration.save()

    response = owner_client.post(
        _text_url(world),
        {
            "subject": "Hoi {{ name }}",
            "body": "Beste {{ name }},\n\nCode {{ code }}",
            "registration": world.registration.code,
            "action": "preview",
        },
    )

    preview = response.context["preview"]
    assert preview.subject == "Hoi <script>Bea</script>"
    assert preview.text.startswith(f"Beste <script>Bea</script>,\n\nCode {world.registration.code}")
    html = response.content.decode()
    assert "<script>Bea" not in html
    assert MailTemplate.objects.count() == 0  # a preview saves nothing


def test_test_send_goes_to_the_organiser_and_saves_nothing(owner_client, world, smtp):
    response = owner_client.post(
        _text_url(world),
        {"subject": "Hoi {{ name }}", "body": "Tekst", "action": "test"},
    )

    assert response.status_code == 200
    mail = OutgoingMail.objects.get()
    assert (mail.kind, mail.recipient) == (MailKind.TEST, world.owner.email)
    assert mail.subject == f"[Test] Hoi {world.registration.booker_name}"
    assert MailTemplate.objects.count() == 0


def test_save_then_reset(owner_client, world):
    data = {"subject": "Welkom {{ name }}", "body": "Tot {{ date }}", "action": "save"}
    assert owner_client.post(_text_url(world), data).status_code == 302
    template = MailTemplate.objects.get()
    assert (template.kind, template.language, template.subject) == (
        "confirmation",
        "nl",
        "Welkom {{ name }}",
    )

    owner_client.post(_text_url(world), {"action": "reset", "confirm": "yes"})

    assert MailTemplate.objects.count() == 0


def test_unknown_placeholder_is_shown_on_the_field_and_nothing_saved(owner_client, world, english):
    response = owner_client.post(
        _text_url(world), {"subject": "Hi {{ nam }}", "body": "x", "action": "save"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["subject"] == [
        "Unknown placeholder: {{ nam }}. Use one from the list."
    ]
    assert MailTemplate.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "language"), [("nope", "nl"), ("confirmation", "de"), ("mailing", "nl")]
)
def test_editor_for_a_kind_or_language_that_does_not_exist_is_not_found(
    owner_client, world, kind, language
):
    assert owner_client.get(_text_url(world, kind, language)).status_code == 404


def test_mailing_from_draft_to_progress(
    owner_client, world, smtp, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = owner_client.post(
        _url("mailing.create", world),
        {
            "subject_nl": "Nieuws voor {{ name }}",
            "body_nl": "Beste {{ name }},\n\nTot {{ date }}.",
            "filter_status": ["confirmed"],
        },
    )
    mailing = Mailing.objects.get()
    assert response.url == _url("mailing.detail", world, pk=mailing.pk)
    assert mailing.filters == {"status": ["confirmed"]}

    detail = owner_client.get(response.url)
    assert detail.context["count"] == 1
    assert detail.context["preview"].subject == f"Nieuws voor {world.attendee.full_name}"

    owner_client.post(response.url, {"action": "test"})
    assert OutgoingMail.objects.get().recipient == world.owner.email

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(response.url, {"action": "start", "confirm": "yes"})

    mailing.refresh_from_db()
    assert mailing.state == MailingState.STARTED
    progress = owner_client.get(response.url)
    assert progress.context["progress"]["done"] == 1
    assert progress.context["refresh"] is False
    assert '<progress id="mailing-progress"' in progress.content.decode()
    assert [str(m["To"]) for m in smtp.messages] == [world.registration.email]


def test_started_mailing_cannot_be_edited(owner_client, world):
    mailing = Mailing.objects.create(
        event=world.event, subject_nl="x", body_nl="x", state=MailingState.STARTED
    )

    assert owner_client.get(_url("mailing.update", world, pk=mailing.pk)).status_code == 404


def test_mailing_form_with_english_subject_but_no_text_is_refused(owner_client, world, english):
    response = owner_client.post(
        _url("mailing.create", world),
        {"subject_nl": "Nieuws", "body_nl": "Tekst", "subject_en": "News"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["body_en"] == [
        "Give the English subject and text both, or neither."
    ]
    assert Mailing.objects.count() == 0


def test_settings_are_saved(owner_client, world):
    response = owner_client.post(
        _url("mail.settings", world),
        {
            "practical_info_days_before": "3",
            "thank_you_days_after": "",
            "evaluation_url": "https://survey.example.org/x",
            "publication_ticket_types": [world.ticket_type.pk],
        },
    )

    assert response.status_code == 302
    settings = MailSettings.objects.get(event=world.event)
    assert (settings.practical_info_days_before, settings.thank_you_days_after) == (3, None)
    assert list(settings.publication_ticket_types.all()) == [world.ticket_type]


def test_publication_upload_that_is_no_pdf_is_told(owner_client, world, english):
    response = owner_client.post(
        _url("mail.settings", world),
        {"publication": SimpleUploadedFile("boek.pdf", b"GIF89a not a pdf")},
    )

    assert response.status_code == 200
    assert response.context["publication_form"].errors["publication"] == [
        "The publication must be a PDF file."
    ]
    assert not MailSettings.objects.filter(event=world.event).exists()


def test_publication_upload(owner_client, world):
    response = owner_client.post(
        _url("mail.settings", world),
        {"publication": SimpleUploadedFile("boek.pdf", b"%PDF-1.7\n%%EOF\n")},
    )

    assert response.status_code == 302
    assert MailSettings.objects.get(event=world.event).publication.name.endswith(".pdf")


def test_registration_page_lists_the_mails_it_received(owner_client, world):
    OutgoingMailFactory(
        event=world.event, registration=world.registration, subject="Je aanmelding ABC"
    )
    OutgoingMailFactory(event=world.event, subject="Post voor een ander")

    html = owner_client.get(
        _url("registration.detail", world, code=world.registration.code)
    ).content.decode()

    assert "Je aanmelding ABC" in html
    assert "Post voor een ander" not in html


def test_mailing_form_offers_the_payment_and_session_filters(owner_client, world):
    html = owner_client.get(_url("mailing.create", world)).content.decode()

    assert 'name="filter_payment"' in html
    assert 'name="filter_session"' in html
    assert f'value="s{world.session.pk}"' in html

    owner_client.post(
        _url("mailing.create", world),
        {"subject_nl": "Nieuws", "body_nl": "Beste {{ name }},", "filter_payment": ["unpaid"]},
    )
    assert Mailing.objects.get().filters == {"payment": ["unpaid"]}
