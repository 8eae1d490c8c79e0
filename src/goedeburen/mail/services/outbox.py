"""The outbox: queue a mail, deliver it, retry or cancel it, sweep for due mail.

A mail is queued in the transaction of the change it reports and sent by the worker after
that transaction committed; a failed send never touches the change (DESIGN.md, invariant 2).

States: queued → sending → sent; sending → failed → (after a back-off) sending again, up to
`MAX_ATTEMPTS`, unless the server refused the mail for good (`refusal`: a 5xx reply to the
recipient or the message), which is not tried again; queued or failed → cancelled by the
organiser; failed or cancelled → queued by the organiser. A row is taken for sending by one
conditional UPDATE (`_claim`), so two workers never both send it; a sent row is never
claimed again.
"""

import datetime as dt
import logging
import smtplib
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection, make_msgid
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.encoding import punycode

from goedeburen.common import crypto, secret_text
from goedeburen.common.audit import log_action
from goedeburen.common.rows import insert
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.common.text import cut_whole
from goedeburen.events.models import Event
from goedeburen.registration.models import Registration

from .. import exceptions, placeholders, queries, tasks
from ..composing import Attachment, compose, registrations_for
from ..enums import NON_ESSENTIAL_KINDS, MailState
from ..exceptions import MailError
from ..models import MailAttachment, OutgoingMail
from ..rendering import pack_context

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Back-off after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour (about 4.5
# hours from the first attempt to the last).
MAX_RETRY_DELAY = dt.timedelta(hours=1)
# A mail "sending" for this long belongs to a worker that died: well past EMAIL_TIMEOUT.
SENDING_STALE_AFTER = dt.timedelta(minutes=10)
# How many mails one task sends over one SMTP connection (a mailing, the sweep).
BATCH_SIZE = 100
# How many of those a worker claims at once (see `deliver_many`).
CLAIM_CHUNK = 10
SECRETS_PURPOSE = "goedeburen.mail.outbox-secrets"


def _now() -> dt.datetime:
    return timezone.now()


def queue_mail(
    event: Event,
    *,
    kind: str,
    recipient: str,
    language: str,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    registration: Registration | None = None,
    context: dict | None = None,
    attachments: list[Attachment] = (),
    schedule: str = "",
    reply_to: str = "",
) -> OutgoingMail:
    """Write `kind` mail to `recipient` into the outbox and have the worker send it.

    Call it inside the transaction of the change the mail reports. Without a `body_text` the
    mail is queued unrendered with `context` (JSON-able values, datetimes allowed) and the
    worker renders it before the first attempt (`render_queued`). A `schedule` makes it the
    one mail of that schedule for `registration` (see `queue_scheduled_mail`). Side effects:
    an outbox row with a new Message-ID and its attachments; a `send_mail` task enqueued once
    the transaction commits.
    """

    mail = OutgoingMail(
        event=event,
        registration=registration,
        kind=kind,
        recipient=recipient,
        language=language,
        subject=fit_subject(subject),
        body_text=body_text,
        body_html=body_html,
        context=pack_context(context or {}),
        rendered_at=_now() if body_text else None,
        message_id=new_message_id(),
        schedule=schedule,
        reply_to=reply_to,
    )
    insert([mail])  # as `save()` would, for less CPU: every booking queues a mail
    _store_attachments(mail, attachments)
    enqueue_on_commit(tasks.send_mail, mail.pk)
    return mail


def queue_scheduled_mail(
    registration: Registration, *, schedule: str, kind: str, **context
) -> OutgoingMail | None:
    """Queue the `kind` mail of `schedule` to `registration` unless it has it; return it or None.

    The generic "once per recipient per schedule": a unique constraint on (registration,
    schedule) makes a schedule that runs twice, or in two workers at once, queue one mail.
    Payment reminders use it with a schedule per reminder ("payment_reminder_1" …).
    Side effects: those of `queue_registration_mail`.
    """
    if OutgoingMail.objects.filter(registration=registration, schedule=schedule).exists():
        return None
    try:
        with transaction.atomic():
            return queue_registration_mail(registration, kind=kind, schedule=schedule, **context)
    except IntegrityError:  # another run queued it a moment ago
        return None


def queue_registration_mail(
    registration: Registration,
    *,
    kind: str,
    manage_token: str | None = None,
    offer_token: str | None = None,
    schedule: str = "",
    recipient: str = "",
    attachments: list[Attachment] = (),
    **context,
) -> OutgoingMail | None:
    """Queue the `kind` mail to the booker of `registration`, in its language, unrendered.

    The request only writes the row: `manage_token` (known only when it is made) and
    `offer_token` become the manage link and the link of a waiting-list offer when the worker
    renders the mail; other keywords (JSON-able, or datetimes) go to the templates as they are.
    `recipient` replaces the booker's address (an invoice goes to the invoice address);
    `attachments` are stored with the mail. A registration whose address was erased gets
    no mail (None). Side effects: those of `queue_mail`.
    """
    if not (recipient or registration.email):
        return None  # an erased registration has no address: nothing to send
    if manage_token:
        context["manage_token"] = manage_token
    if offer_token:
        context["offer_token"] = offer_token
    return queue_mail(
        registration.event,
        registration=registration,
        kind=kind,
        recipient=recipient or registration.email,
        language=registration.language,
        context=context,
        schedule=schedule,
        attachments=attachments,
    )


def queue_registration_mails(registrations: list[Registration], *, kind: str) -> int:
    """Queue the `kind` mail to the booker of each of `registrations`, unrendered, as
    `queue_registration_mail` would one by one; return how many.

    For a mail to everyone of an event (publishing the assignment): the rows in a few
    INSERTs and one `send_mail_batch` task per `BATCH_SIZE` mails, where one call per
    registration costs three statements each (3,000 people: 15 s in the request).
    Side effects: outbox rows with new Message-IDs; the batches enqueued on commit.
    """
    mails = insert(
        [
            OutgoingMail(
                event_id=registration.event_id,
                registration=registration,
                kind=kind,
                recipient=registration.email,
                language=registration.language,
                context=pack_context({}),
                message_id=new_message_id(),
            )
            for registration in registrations
            if registration.email  # an erased registration has no address: nothing to send
        ]
    )
    enqueue_batches([mail.pk for mail in mails])
    return len(mails)


def render_queued(mail: OutgoingMail, *, registration=None) -> OutgoingMail:
    """Render an unrendered mail's subject, bodies and attachments and store them; return it.

    A rendered mail is returned as it is, so every attempt sends the same text.
    `registration` may bring the mail's registration loaded already (`deliver_many`).
    Side effects: subject, bodies, attachments and `rendered_at` stored; the context emptied.
    The secrets of the links in the text are stored only sealed, in `secrets`, with markers
    in the text in their place (`common.secret_text`); `_send` puts them back.
    """
    if mail.rendered_at is not None:
        return mail
    with secret_text.collecting() as found:
        composed = compose(mail, registration=registration)
    queued_attachments = list(MailAttachment.objects.filter(mail=mail))
    rendered = composed.rendered
    mail.subject, mail.body_text, mail.body_html = (
        secret_text.hide(text, found)
        for text in (fit_subject(rendered.subject), rendered.text, rendered.html)
    )
    mail.secrets = crypto.seal(found, purpose=SECRETS_PURPOSE) if found else ""
    mail.rendered_at, mail.context = _now(), {}
    with transaction.atomic():
        stored = OutgoingMail.objects.filter(pk=mail.pk, rendered_at__isnull=True).update(
            subject=mail.subject,
            body_text=mail.body_text,
            body_html=mail.body_html,
            secrets=mail.secrets,
            rendered_at=mail.rendered_at,
            context=mail.context,
        )
        if stored:
            _store_attachments(mail, composed.attachments)
    # Files given when the mail was queued (an invoice PDF) go with those rendered now.
    mail.fresh_attachments = [*queued_attachments, *composed.attachments]
    return mail


def fit_subject(subject: str) -> str:
    """Return `subject` cut to what the outbox stores (255 characters), ending in "…".

    An event's name may be 300 characters and an organiser's subject grows with its
    placeholders: stored whole, such a mail could never be queued or rendered.
    """
    limit = OutgoingMail._meta.get_field("subject").max_length
    return subject if len(subject) <= limit else cut_whole(subject, limit - 1).rstrip() + "…"


def secrets_of(mail: OutgoingMail) -> list[str]:
    """Return the secrets that go into the mail's markers ([] once sent, or none)."""
    if not mail.secrets:
        return []
    try:
        return crypto.unseal(mail.secrets, purpose=SECRETS_PURPOSE)
    except crypto.Unsealable:  # the keys changed past their fallbacks: links show ***
        return []


def deliver(mail: OutgoingMail, *, now: dt.datetime | None = None) -> bool:
    """Send `mail` over SMTP if it is due and no other worker has it; return whether it went.

    An unrendered mail is rendered first (`render_queued`). Side effects: the row goes to
    sending, then to sent, or to failed with the error and a retry scheduled after a
    back-off (none after `MAX_ATTEMPTS` or a refusal for good), or to cancelled when its
    address opted out of such mail meanwhile; a log entry on the mail.
    """
    now = now or _now()
    claimed = _claim([mail.pk], now=now)
    return bool(claimed) and _send_claimed(claimed[0], now=now)


def deliver_many(mail_ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Send the mails `mail_ids` as `deliver` does, over one SMTP connection; return how many
    went.

    Mails are claimed `CLAIM_CHUNK` at a time, with their registrations loaded together:
    fewer round trips to the database for a mailing to thousands. A chunk is small enough
    to be sent well within `SENDING_STALE_AFTER` even when SMTP answers slowly, so no other
    worker takes a claimed mail while this one still has it.
    """
    smtp = get_connection()
    try:
        smtp.open()
    except Exception:  # SMTP is down: each mail finds that out by itself, and is retried
        logger.warning("No SMTP connection for a batch of %s mails", len(mail_ids))
    sent = 0
    try:
        for start in range(0, len(mail_ids), CLAIM_CHUNK):
            chunk_now = now or _now()
            claimed = _claim(mail_ids[start : start + CLAIM_CHUNK], now=chunk_now)
            registrations = registrations_for(claimed)
            for mail in claimed:
                registration = registrations.get(mail.registration_id)
                sent += _send_claimed(mail, now=chunk_now, smtp=smtp, registration=registration)
    finally:
        smtp.close()
    return sent


def _send_claimed(mail: OutgoingMail, *, now, smtp=None, registration=None) -> bool:
    if not _essential(mail) and queries.is_opted_out(mail.event, mail.recipient):
        # Opted out after the mail was queued (a mailing to thousands takes a while, a
        # retry waits up to an hour): the opt-out wins, as it did when it was queued.
        OutgoingMail.objects.filter(pk=mail.pk, state=MailState.SENDING).update(
            state=MailState.CANCELLED, next_attempt_at=None, secrets=""
        )
        log_action(mail, action="mail.opted_out")
        return False
    try:
        _send(render_queued(mail, registration=registration), smtp=smtp)
    except Exception as error:  # whatever broke (refused, timeout, bad data): record, retry
        if smtp is not None:
            smtp.close()  # a broken connection is opened afresh for the next mail
        _record_failure(mail, error, now=now)
        return False
    # Sent: the secrets are no longer needed, so they go (the text keeps its markers).
    OutgoingMail.objects.filter(pk=mail.pk, state=MailState.SENDING).update(
        state=MailState.SENT, sent_at=_now(), next_attempt_at=None, last_error="", secrets=""
    )
    log_action(mail, action="mail.sent", data={"attempt": mail.attempts})
    return True


def enqueue_due(*, now: dt.datetime | None = None) -> int:
    """Enqueue the sending of every mail that is due, in batches; return how many mails.

    The safety net for lost tasks (a queue that was flushed, a crash between commit and
    enqueue, a worker that died mid-send); run it from cron or `goedeburen send_queued_mail`.
    A mail enqueued twice is still sent once: the second task finds it taken.
    """
    due = list(_due_ids(now or _now()))
    enqueue_batches(due)
    return len(due)


def enqueue_batches(mail_ids: list[int]) -> None:
    """Enqueue `send_mail_batch` tasks for `mail_ids`, `BATCH_SIZE` mails each, on commit."""

    for start in range(0, len(mail_ids), BATCH_SIZE):
        enqueue_on_commit(tasks.send_mail_batch, mail_ids[start : start + BATCH_SIZE])


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Send every mail that is due in this process, without the worker; return how many went."""
    now = now or _now()
    return sum(deliver(OutgoingMail(pk=pk), now=now) for pk in _due_ids(now))


def retry_mail(mail: OutgoingMail, *, by=None) -> OutgoingMail:
    """Queue a failed or cancelled mail again, with a fresh count of attempts, or refuse.

    Side effects: the row is queued; a `send_mail` task enqueued; a log entry.
    """

    allowed = [MailState.FAILED, MailState.CANCELLED]
    with transaction.atomic():
        changed = OutgoingMail.objects.filter(pk=mail.pk, state__in=allowed).update(
            state=MailState.QUEUED, attempts=0, next_attempt_at=None, claimed_at=None
        )
        if not changed:
            raise MailError(exceptions.NOT_RETRYABLE, code="not_retryable")
        log_action(mail, action="mail.retried", by=by, data={"state": [mail.state, "queued"]})
        enqueue_on_commit(tasks.send_mail, mail.pk)
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


def _claim(pks: list[int], *, now: dt.datetime) -> list[OutgoingMail]:
    """Take those of the mails `pks` that are due for this worker (sending); return them."""
    with transaction.atomic():
        due = OutgoingMail.objects.filter(_due(now), pk__in=pks)
        # PostgreSQL: a row another worker is claiming this instant is skipped, not waited
        # for. SQLite needs no lock: its IMMEDIATE transaction admits one writer.
        mine = OutgoingMail.objects.filter(pk__in=pks, state=MailState.SENDING, claimed_at=now)
        if connection.features.has_select_for_update_skip_locked:
            locked = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True))
            if not locked:
                return []
            due = OutgoingMail.objects.filter(_due(now), pk__in=locked)
            mine = mine.filter(pk__in=locked)
        # The UPDATE re-checks the condition, so of two claims only one changes a row (the
        # other's rows are locked, or no longer due, by then).
        if not due.update(state=MailState.SENDING, claimed_at=now, attempts=F("attempts") + 1):
            return []
        return list(mine.select_related("event__venue", "mailing").order_by("pk"))


def _send(mail: OutgoingMail, *, smtp=None) -> None:
    reply_to = mail.reply_to or mail.event.contact_email
    secrets = secrets_of(mail)
    message = EmailMultiAlternatives(
        subject=secret_text.reveal(mail.subject, secrets),
        body=secret_text.reveal(mail.body_text, secrets),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient],
        reply_to=[reply_to] if reply_to else None,
        connection=smtp,
        # The stored Message-ID, so that a retry is recognisably the same mail (RFC 5322);
        # Auto-Submitted keeps out-of-office replies away (RFC 3834).
        headers={
            "Message-ID": mail.message_id,
            "Auto-Submitted": "auto-generated",
            "Content-Language": mail.language,
            **list_unsubscribe_headers(mail),
        },
    )
    if mail.body_html:
        message.attach_alternative(secret_text.reveal(mail.body_html, secrets), "text/html")
    # Just rendered: the attachments are at hand; rendered before: read what was stored.
    attachments = getattr(mail, "fresh_attachments", None)
    if attachments is None:
        attachments = mail.attachments.all()
    for attachment in attachments:
        content_type = _without_charset(attachment.content_type)
        message.attach(attachment.filename, bytes(attachment.content), content_type)
    message.send()


def _without_charset(content_type: str) -> str:
    # Django names the charset of a text part itself (utf-8, the one it decodes the bytes
    # with): one named here too would make the header say it twice, which RFC 2045 does not
    # allow and some mail programs misread (an .ics stored before this was so).
    main, *params = (part.strip() for part in content_type.split(";"))
    if not main.lower().startswith("text/"):
        return content_type
    return "; ".join([main, *(p for p in params if not p.lower().startswith("charset="))])


def list_unsubscribe_headers(mail: OutgoingMail) -> dict[str, str]:
    """Return the List-Unsubscribe headers (RFC 2369, RFC 8058) of a non-essential mail.

    A mailing (unless the organiser marked it essential), the thank-you and the survey
    reminder carry them: the https address answers a one-click POST, the mailto one reaches
    the event's contact address. Mail about a registration carries none: no one can opt out
    of that.
    """
    if _essential(mail) or not mail.recipient:
        return {}
    links = [f"<{placeholders.unsubscribe_url(mail.event, mail.recipient)}>"]
    if mail.event.contact_email:
        # A header of URIs must be ASCII: a domain with accents (bücher.nl) in its
        # punycode form, or the whole header would go out as an RFC 2047 encoded word.
        local, _at, domain = mail.event.contact_email.rpartition("@")
        subject = quote(f"unsubscribe {mail.recipient}")
        links.insert(0, f"<mailto:{local}@{punycode(domain)}?subject={subject}>")
    return {
        "List-Unsubscribe": ", ".join(links),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _essential(mail: OutgoingMail) -> bool:
    # Mail no one can opt out of: about their registration, or a mailing marked essential.
    return mail.mailing.essential if mail.mailing_id else mail.kind not in NON_ESSENTIAL_KINDS


def _store_attachments(mail: OutgoingMail, attachments) -> None:
    MailAttachment.objects.bulk_create(
        MailAttachment(
            mail=mail,
            filename=a.filename,
            content_type=a.content_type,
            content=a.content,
        )
        for a in attachments
    )


def refusal(error: Exception) -> str | None:
    """Return the server's reply when it refused the mail for good, else None.

    For good: a 5xx reply (RFC 5321 4.2.1) to the recipient (no such address), to the
    message (too large, refused as spam) or to its size when it was announced (552).
    Anything else (4xx, a dropped connection, a time-out, our own login or sender refused:
    the site's settings, which someone can put right) may go away, so the mail is tried again.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        replies = list(error.recipients.values())
        if all(code >= 500 for code, _text in replies):
            return "; ".join(_reply(code, text) for code, text in replies)
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code == 552:
        return _reply(error.smtp_code, error.smtp_error)
    return None


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}"


def _error_text(error: Exception) -> str:
    # A server's reply as it came (what the organiser can look up or pass on); other
    # errors with their kind, for whoever runs the site.
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return "; ".join(_reply(code, text) for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    return f"{type(error).__name__}: {error}"


def _log_text(error: Exception) -> str:
    """What the operator's log says of a failure: its kind and the server's codes.

    Not the server's words, which often quote the address ("550 5.1.1 <ada@…>: no such
    user"): the mail's record keeps them, shown to the organiser and erased with it, while a
    log is kept and copied elsewhere. A connection's error names no one.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        codes = ", ".join(str(code) for code, _text in error.recipients.values())
        return f"{type(error).__name__} {codes}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    if isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


def _record_failure(mail: OutgoingMail, error: Exception, *, now: dt.datetime) -> None:
    refused = refusal(error)
    last_error = (refused or _error_text(error))[:2000]
    # The domain's refusal to render (the person or the registration it was about has
    # changed) does not go away by trying again.
    given_up = refused is not None or isinstance(error, MailError) or mail.attempts >= MAX_ATTEMPTS
    next_attempt_at = None if given_up else now + retry_delay(mail.attempts)
    logger.warning("Mail %s, attempt %s failed: %s", mail.pk, mail.attempts, _log_text(error))
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
    if next_attempt_at and tasks.send_mail.get_backend().supports_defer:
        enqueue_on_commit(tasks.send_mail.using(run_after=next_attempt_at), mail.pk)


def new_message_id() -> str:
    # The sender's domain, not the host's name: `make_msgid` would otherwise look up the
    # fully qualified host name, which can take seconds on a badly configured machine.
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname or "localhost"
    return make_msgid(domain=domain)
