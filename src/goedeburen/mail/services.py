"""Use cases of the outbox: queue a mail, deliver it, retry or cancel it, sweep for due mail.

A mail is queued in the transaction of the change it reports and sent by the worker after
that transaction committed; a failed send never touches the change (DESIGN.md, invariant 2).

States: queued → sending → sent; sending → failed → (after a back-off) sending again, up to
`MAX_ATTEMPTS`; queued or failed → cancelled by the organiser; failed or cancelled → queued
by the organiser. A row is taken for sending by one conditional UPDATE (`_claim`), so two
workers never both send it; a sent row is never claimed again.
"""

import datetime as dt
import logging
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.models import Registration

from . import exceptions
from .enums import MailState
from .exceptions import MailError
from .models import OutgoingMail
from .rendering import absolute_url, render_mail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Back-off after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour (about 4.5
# hours from the first attempt to the last).
MAX_RETRY_DELAY = dt.timedelta(hours=1)
# A mail "sending" for this long belongs to a worker that died: well past EMAIL_TIMEOUT.
SENDING_STALE_AFTER = dt.timedelta(minutes=10)
# The URL of a waiting-list offer, which the registration lifecycle defines.
OFFER_URL_NAME = "public:registration.offer"


def _now() -> dt.datetime:
    return timezone.now()


def queue_mail(
    event: Event,
    *,
    kind: str,
    recipient: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    registration: Registration | None = None,
    attachments: list[dict] | None = None,
) -> OutgoingMail:
    """Write `kind` mail to `recipient` into the outbox and have the worker send it.

    Call it inside the transaction of the change the mail reports. Side effects: an outbox
    row with a new Message-ID; a `send_mail` task enqueued once the transaction commits.
    """
    from .tasks import send_mail

    mail = OutgoingMail.objects.create(
        event=event,
        registration=registration,
        kind=kind,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=_new_message_id(),
        attachments=attachments or [],
    )
    enqueue_on_commit(send_mail, mail.pk)
    return mail


def queue_registration_mail(
    registration: Registration,
    *,
    kind: str,
    manage_token: str | None = None,
    offer_token: str | None = None,
    attachments: list[dict] | None = None,
    **context,
) -> OutgoingMail:
    """Render the `kind` mail to the booker of `registration`, in its language, and queue it.

    `manage_token` (known only when it is made) adds the booker's manage link; `offer_token`
    the link of a waiting-list offer; `attachments` text files to send with it (see
    `OutgoingMail.attachments`); other keywords go to the templates as they are.
    Side effects: those of `queue_mail`.
    """
    registration = registration_queries.registration_detail(registration.pk)
    event = registration.event
    with translation.override(registration.language):
        context = {
            "registration": registration,
            "event": event,
            "event_url": absolute_url(event.get_absolute_url()),
            "manage_url": manage_token and _manage_url(registration, manage_token),
            "offer_url": offer_token and _offer_url(registration, offer_token),
            **context,
        }
        rendered = render_mail(
            kind,
            context=context,
            subject_values={"code": registration.code, "event": event.t.name},
        )
    return queue_mail(
        event,
        registration=registration,
        kind=kind,
        recipient=registration.email,
        language=registration.language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=attachments,
    )


def deliver(mail: OutgoingMail, *, now: dt.datetime | None = None) -> bool:
    """Send `mail` over SMTP if it is due and no other worker has it; return whether it went.

    Side effects: the row goes to sending, then to sent, or to failed with the error and a
    retry scheduled after a back-off (none after `MAX_ATTEMPTS`); a log entry on the mail.
    """
    now = now or _now()
    mail = _claim(mail.pk, now=now)
    if mail is None:
        return False
    try:
        _send(mail)
    except Exception as error:  # whatever broke (refused, timeout, bad data): record, retry
        _record_failure(mail, error, now=now)
        return False
    OutgoingMail.objects.filter(pk=mail.pk, state=MailState.SENDING).update(
        state=MailState.SENT, sent_at=_now(), next_attempt_at=None, last_error=""
    )
    log_action(mail, action="mail.sent", data={"attempt": mail.attempts})
    return True


def enqueue_due(*, now: dt.datetime | None = None) -> int:
    """Enqueue a `send_mail` task for every mail that is due; return how many.

    The safety net for lost tasks (a queue that was flushed, a crash between commit and
    enqueue, a worker that died mid-send); run it from cron or `goedeburen send_queued_mail`.
    A mail enqueued twice is still sent once: the second task finds it taken.
    """
    from .tasks import send_mail

    due = list(_due_ids(now or _now()))
    for pk in due:
        enqueue_on_commit(send_mail, pk)
    return len(due)


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Send every mail that is due in this process, without the worker; return how many went."""
    now = now or _now()
    return sum(deliver(OutgoingMail(pk=pk), now=now) for pk in _due_ids(now))


def retry_mail(mail: OutgoingMail, *, by=None) -> OutgoingMail:
    """Queue a failed or cancelled mail again, with a fresh count of attempts, or refuse.

    Side effects: the row is queued; a `send_mail` task enqueued; a log entry.
    """
    from .tasks import send_mail

    allowed = [MailState.FAILED, MailState.CANCELLED]
    with transaction.atomic():
        changed = OutgoingMail.objects.filter(pk=mail.pk, state__in=allowed).update(
            state=MailState.QUEUED, attempts=0, next_attempt_at=None, claimed_at=None
        )
        if not changed:
            raise MailError(exceptions.NOT_RETRYABLE, code="not_retryable")
        log_action(mail, action="mail.retried", by=by, data={"state": [mail.state, "queued"]})
        enqueue_on_commit(send_mail, mail.pk)
    mail.refresh_from_db()
    return mail


def cancel_mail(mail: OutgoingMail, *, by=None) -> OutgoingMail:
    """Stop a queued or failed mail from being sent, or refuse (it may be on its way).

    Side effects: the row is cancelled; a log entry.
    """
    with transaction.atomic():
        changed = OutgoingMail.objects.filter(
            pk=mail.pk, state__in=[MailState.QUEUED, MailState.FAILED]
        ).update(state=MailState.CANCELLED, next_attempt_at=None)
        if not changed:
            raise MailError(exceptions.NOT_CANCELLABLE, code="not_cancellable")
        log_action(mail, action="mail.cancelled", by=by, data={"state": [mail.state, "cancelled"]})
    mail.refresh_from_db()
    return mail


def retry_delay(attempts: int) -> dt.timedelta:
    """Return how long to wait after the `attempts`-th failed attempt."""
    return min(dt.timedelta(minutes=2 ** (attempts - 1)), MAX_RETRY_DELAY)


def _due(now: dt.datetime) -> Q:
    return (
        Q(state=MailState.QUEUED)
        | Q(state=MailState.FAILED, next_attempt_at__lte=now)
        | Q(state=MailState.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
    )


def _due_ids(now: dt.datetime):
    return OutgoingMail.objects.filter(_due(now)).order_by("pk").values_list("pk", flat=True)


def _claim(pk: int, *, now: dt.datetime) -> OutgoingMail | None:
    """Take the mail for this worker (sending) if it is due; return it, or None."""
    with transaction.atomic():
        due = OutgoingMail.objects.filter(_due(now), pk=pk)
        # PostgreSQL: a row another worker is claiming this instant is skipped, not waited
        # for. SQLite needs no lock: its IMMEDIATE transaction admits one writer.
        skip_locked = connection.features.has_select_for_update_skip_locked
        if skip_locked and not due.select_for_update(skip_locked=True).values_list("pk"):
            return None
        # The UPDATE re-checks the condition, so of two claims only one changes the row.
        claimed = due.update(state=MailState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutgoingMail.objects.select_related("event").get(pk=pk)


def _send(mail: OutgoingMail) -> None:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient],
        reply_to=[mail.event.contact_email] if mail.event.contact_email else None,
        # The stored Message-ID, so that a retry is recognisably the same mail (RFC 5322);
        # Auto-Submitted keeps out-of-office replies away (RFC 3834).
        headers={
            "Message-ID": mail.message_id,
            "Auto-Submitted": "auto-generated",
            "Content-Language": mail.language,
        },
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for attachment in mail.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["content_type"])
    message.send()


def _record_failure(mail: OutgoingMail, error: Exception, *, now: dt.datetime) -> None:
    from .tasks import send_mail

    last_error = f"{type(error).__name__}: {error}"[:2000]
    next_attempt_at = None if mail.attempts >= MAX_ATTEMPTS else now + retry_delay(mail.attempts)
    logger.warning("Mail %s, attempt %s failed: %s", mail.pk, mail.attempts, last_error)
    OutgoingMail.objects.filter(pk=mail.pk, state=MailState.SENDING).update(
        state=MailState.FAILED, last_error=last_error, next_attempt_at=next_attempt_at
    )
    log_action(
        mail,
        action="mail.failed",
        data={
            "attempt": mail.attempts,
            "error": last_error,
            "next_attempt_at": next_attempt_at.isoformat() if next_attempt_at else None,
        },
    )
    # A backend that cannot defer leaves the retry to `enqueue_due` (cron).
    if next_attempt_at and send_mail.get_backend().supports_defer:
        enqueue_on_commit(send_mail.using(run_after=next_attempt_at), mail.pk)


def _new_message_id() -> str:
    # The sender's domain, not the host's name: `make_msgid` would otherwise look up the
    # fully qualified host name, which can take seconds on a badly configured machine.
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname or "localhost"
    return make_msgid(domain=domain)


def _manage_url(registration: Registration, token: str) -> str:
    return absolute_url(
        reverse(
            "public:registration.manage",
            kwargs={"event": registration.event.slug, "code": registration.code, "token": token},
        )
    )


def _offer_url(registration: Registration, token: str) -> str:
    kwargs = {"event": registration.event.slug, "code": registration.code, "token": token}
    try:
        return absolute_url(reverse(OFFER_URL_NAME, kwargs=kwargs))
    except NoReverseMatch:
        # Until the offer page exists the mail still tells the person; the form is the way in.
        logger.error("No URL %s: the waiting-list offer mail links to the form", OFFER_URL_NAME)
        return absolute_url(
            reverse("public:registration.start", kwargs={"event": registration.event.slug})
        )
