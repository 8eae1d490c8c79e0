"""Bulk mailings to a segment: save the draft, test it, start it, write its mails.

Starting only marks the mailing and enqueues `queue_mailing`; that task writes one outbox
mail per address (a unique constraint on mailing and address, so a task that runs twice
writes each once) and enqueues them in batches over one SMTP connection each.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event
from goedeburen.registration.models import Registration

from .. import queries, segments, tasks
from ..enums import MailingState, MailKind, MailState
from ..exceptions import MailError
from ..models import Mailing, OutgoingMail
from .outbox import enqueue_batches, new_message_id
from .templates import check_placeholders, send_test_mail

# Rows per INSERT when a mailing writes its mails.
INSERT_CHUNK = 500


def save_mailing(mailing: Mailing, *, event: Event, by=None) -> Mailing:
    """Store a draft mailing (new or changed); refuse one that has started or is invalid.

    Side effects: the row written, its filters cleaned to known values; a log entry.
    """
    if (
        mailing.pk
        and Mailing.objects.filter(pk=mailing.pk).exclude(state=MailingState.DRAFT).exists()
    ):
        raise MailError(_("A mailing that has started cannot be changed."), code="mailing_started")
    check_placeholders(mailing.subject_nl, mailing.body_nl, mailing.subject_en, mailing.body_en)
    mailing.event = event
    mailing.filters = segments.clean_filters(event, mailing.filters or {})
    if mailing.pk is None:
        mailing.created_by = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        created = mailing.pk is None
        mailing.save()
        log_action(mailing, action="mailing.saved", by=by, data={"created": created})
    return mailing


def delete_mailing(mailing: Mailing, *, by=None) -> None:
    """Delete a draft mailing; refuse one that has started (its mails are the record).

    Side effects: a log entry on the event.
    """
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().select_related("event").get(pk=mailing.pk)
        if locked.state != MailingState.DRAFT:
            raise MailError(
                _("A mailing that has started cannot be deleted."), code="mailing_started"
            )
        log_action(
            locked.event, action="mailing.deleted", by=by, data={"subject": locked.subject_nl}
        )
        locked.delete()


def audience(mailing: Mailing) -> tuple[list[segments.Recipient], int]:
    """Return who gets the mailing now, and how many matching addresses opted out."""
    everyone = segments.recipients(mailing.event, mailing.filters)
    if mailing.essential:
        return everyone, 0
    opted_out = queries.opted_out_addresses(mailing.event)
    chosen = [r for r in everyone if r.email not in opted_out]
    return chosen, len(everyone) - len(chosen)


def send_mailing_test(mailing: Mailing, *, to: str, by=None):
    """Send `to` the mailing as its first recipient (or any registration) would get it."""
    recipients, _skipped = audience(mailing)
    registration_id = recipients[0].registration_id if recipients else None
    registration = (
        Registration.objects.filter(pk=registration_id).first()
        if registration_id
        else Registration.objects.filter(event=mailing.event).first()
    )
    if registration is None:
        raise MailError(
            _("There is no registration yet to show the mailing with."), code="no_registration"
        )
    return send_test_mail(
        mailing.event,
        kind=MailKind.MAILING,
        language="nl",
        registration=registration,
        to=to,
        subject=mailing.subject_nl,
        body=mailing.body_nl,
        by=by,
    )


def start_mailing(mailing: Mailing, *, by=None) -> Mailing:
    """Start sending a draft mailing in the background; refuse one that has started.

    Side effects: the mailing marked started; `queue_mailing` enqueued on commit; a log entry.
    """

    with transaction.atomic():
        changed = Mailing.objects.filter(pk=mailing.pk, state=MailingState.DRAFT).update(
            state=MailingState.STARTED, started_at=timezone.now()
        )
        if not changed:
            raise MailError(_("This mailing has already been started."), code="mailing_started")
        log_action(mailing, action="mailing.started", by=by)
        enqueue_on_commit(tasks.queue_mailing, mailing.pk)
    mailing.refresh_from_db()
    return mailing


def queue_mailing_mails(mailing: Mailing) -> int:
    """Write one outbox mail per recipient of a started mailing and enqueue them; return how many.

    Idempotent: a second run writes no mail twice (unique per mailing and address) and only
    enqueues the mails still queued. Side effects: outbox rows; `total` set; batches enqueued.
    """
    if mailing.state != MailingState.STARTED:
        return 0
    recipients, _skipped = audience(mailing)
    with transaction.atomic():
        for start in range(0, len(recipients), INSERT_CHUNK):
            OutgoingMail.objects.bulk_create(
                [
                    OutgoingMail(
                        event=mailing.event,
                        mailing=mailing,
                        registration_id=r.registration_id,
                        kind=MailKind.MAILING,
                        recipient=r.email,
                        language=r.language,
                        context={"attendee": r.attendee_id},
                        message_id=new_message_id(),
                    )
                    for r in recipients[start : start + INSERT_CHUNK]
                ],
                ignore_conflicts=True,
            )
        total = mailing.mails.count()
        Mailing.objects.filter(pk=mailing.pk).update(total=total, queued_at=timezone.now())
        queued = list(
            mailing.mails.filter(state=MailState.QUEUED).order_by("pk").values_list("pk", flat=True)
        )
        enqueue_batches(queued)
    return len(queued)
