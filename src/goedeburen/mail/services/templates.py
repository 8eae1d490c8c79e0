"""The organiser's own mail texts: save one, go back to the default, send a test."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event
from goedeburen.registration.models import Registration

from .. import placeholders
from ..composing import compose_text
from ..enums import EDITABLE_KINDS, MailKind
from ..exceptions import MailError
from ..models import MailTemplate, OutgoingMail
from .outbox import queue_mail


def check_placeholders(*texts: str) -> None:
    """Refuse texts with a placeholder that does not exist, naming it."""
    unknown = [name for text in texts for name in placeholders.unknown_in(text)]
    if unknown:
        raise MailError(
            _("Unknown placeholder: %(names)s. Use one from the list.")
            % {"names": ", ".join(f"{{{{ {name} }}}}" for name in dict.fromkeys(unknown))},
            code="unknown_placeholder",
        )


def _check_kind(kind: str, language: str) -> None:
    if kind not in EDITABLE_KINDS or language not in dict(settings.LANGUAGES):
        raise MailError(_("There is no such mail to edit."), code="no_such_template")


def save_mail_template(
    event: Event, *, kind: str, language: str, subject: str, body: str, by=None
) -> MailTemplate:
    """Store the organiser's text for `kind` in `language`, replacing the default.

    Side effects: the template row written; a log entry on the event.
    """
    _check_kind(kind, language)
    check_placeholders(subject, body)
    with transaction.atomic():
        template, created = MailTemplate.objects.update_or_create(
            event=event, kind=kind, language=language, defaults={"subject": subject, "body": body}
        )
        log_action(
            event,
            action="mail.template_saved",
            by=by,
            data={"kind": kind, "language": language, "created": created},
        )
    return template


def reset_mail_template(event: Event, *, kind: str, language: str, by=None) -> None:
    """Go back to the default text for `kind` in `language`. Side effects: a log entry."""
    _check_kind(kind, language)
    with transaction.atomic():
        deleted, _rows = MailTemplate.objects.filter(
            event=event, kind=kind, language=language
        ).delete()
        if deleted:
            log_action(
                event,
                action="mail.template_reset",
                by=by,
                data={"kind": kind, "language": language},
            )


def send_test_mail(
    event: Event,
    *,
    kind: str,
    language: str,
    registration: Registration,
    to: str,
    subject: str | None = None,
    body: str | None = None,
    by=None,
) -> OutgoingMail:
    """Send `to` (the organiser) the `kind` mail as `registration` would get it.

    `subject` and `body` test unsaved text; without them the stored or default text.
    Side effects: a test mail queued (marked as a test in its subject); a log entry.
    """
    if subject is not None:
        check_placeholders(subject, body or "")
    if not to:
        raise MailError(
            _("Your account has no email address to send the test to."), code="no_address"
        )
    with translation.override(language):
        rendered = compose_text(
            event,
            kind=kind,
            language=language,
            registration=registration,
            subject=subject,
            body=body,
            essential=kind not in (MailKind.THANK_YOU,),
        )
        test_subject = _("[Test] %(subject)s") % {"subject": rendered.subject}
    with transaction.atomic():
        mail = queue_mail(
            event,
            kind=MailKind.TEST,
            recipient=to,
            language=language,
            subject=test_subject,
            body_text=rendered.text,
            body_html=rendered.html,
        )
        log_action(event, action="mail.test_sent", by=by, data={"kind": kind, "to": to})
    return mail
