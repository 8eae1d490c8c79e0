"""What participants and organisers choose about mail: opting out, the mail settings, the
publication."""

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goedeburen.common.audit import log_action
from goedeburen.common.singletons import save_the_one
from goedeburen.events.models import Event

from .. import placeholders
from ..addresses import opt_out_address
from ..exceptions import MailError
from ..models import MailSettings, OptOut
from .schedules import enqueue_schedule_runs

# The publication is a PDF of a few MB; this keeps a wrong upload from filling the disk.
PUBLICATION_MAX_BYTES = 30 * 1024 * 1024


def set_opt_out(event: Event, *, email: str, opted_out: bool) -> None:
    """Record that `email` does (not) want the event's non-essential mail.

    Side effects: the opt-out row written or removed. Idempotent. The address is stored in
    one form (`addresses.opt_out_address`), so any spelling of it finds the row.
    """
    email = opt_out_address(email)
    if opted_out:
        try:
            with transaction.atomic():
                OptOut.objects.get_or_create(event=event, email=email)
        except IntegrityError:  # the same address at the same moment: it is opted out
            pass
    else:
        OptOut.objects.filter(event=event, email=email).delete()


def address_from_unsubscribe_token(event: Event, token: str) -> str:
    """Return the address an unsubscribe link was made for, or refuse a link that is not ours."""
    try:
        event_pk, email = signing.loads(token, salt=placeholders.UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as bad:
        raise MailError(_("This link is not valid."), code="bad_link") from bad
    if event_pk != event.pk:
        raise MailError(_("This link is not valid."), code="bad_link")
    return email


def save_mail_settings(
    settings: MailSettings, *, event: Event, by=None, save_related=None
) -> MailSettings:
    """Store the event's mail settings (schedules, evaluation link, who gets the publication).

    Side effects: the row written; schedule runs enqueued for the new due moments; a log entry.
    """
    settings.event = event
    with transaction.atomic():
        save_the_one(settings, event=event)
        if save_related:
            save_related()
        log_action(event, action="mail.settings_saved", by=by)
        enqueue_schedule_runs(event)
    return settings


def upload_publication(event: Event, *, upload, by=None) -> MailSettings:
    """Store the event's publication, after checking it is a PDF of at most 30 MB.

    Side effects: the file stored (replacing the previous one); a log entry.
    """
    if upload.size > PUBLICATION_MAX_BYTES:
        raise MailError(_("The publication may be at most 30 MB."), code="too_large")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise MailError(_("The publication must be a PDF file."), code="not_a_pdf")
    with transaction.atomic():
        settings, _created = MailSettings.objects.select_for_update().get_or_create(event=event)
        old = settings.publication.name
        settings.publication.save("publication.pdf", upload, save=True)
        log_action(event, action="mail.publication_uploaded", by=by, data={"size": upload.size})
    if old and old != settings.publication.name:
        settings.publication.storage.delete(old)
    return settings
