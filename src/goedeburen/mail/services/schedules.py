"""Scheduled mails: practical information N days before the event, the thank-you N days after.

Each schedule queues its mail once per registration, however often it runs
(`queue_scheduled_mail`); `run_schedules` runs from the worker (enqueued for each due moment
when the settings change) and from cron (`goedeburen send_queued_mail`).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event, EventStatus
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from .. import queries, tasks
from ..enums import NON_ESSENTIAL_KINDS, MailKind
from ..models import MailSettings
from .outbox import queue_scheduled_mail

# A schedule that was missed (the worker was down for weeks) is not sent this late.
LATEST = dt.timedelta(days=14)


@dataclass(frozen=True)
class Schedule:
    key: str
    kind: str

    def due_from(self, event: Event, settings: MailSettings) -> dt.datetime | None:
        """Return when the mail is due for `event`, or None when it is switched off."""
        if self.key == "practical_info" and settings.practical_info_days_before is not None:
            return event.starts_at() - dt.timedelta(days=settings.practical_info_days_before)
        if self.key == "thank_you" and settings.thank_you_days_after is not None:
            return event.ends_at() + dt.timedelta(days=settings.thank_you_days_after)
        return None

    def window(
        self, event: Event, settings: MailSettings
    ) -> tuple[dt.datetime, dt.datetime] | None:
        start = self.due_from(event, settings)
        if start is None:
            return None
        # Practical information after the event has started would be of no use.
        end = event.starts_at() if self.key == "practical_info" else start + LATEST
        return start, end


SCHEDULES = (
    Schedule("practical_info", MailKind.PRACTICAL_INFO),
    Schedule("thank_you", MailKind.THANK_YOU),
)


def run_schedules(*, now: dt.datetime | None = None) -> int:
    """Queue every scheduled mail that is due and not yet queued; return how many.

    Side effects: one outbox mail per confirmed registration and due schedule (opted-out
    addresses skipped for non-essential mail).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    events = Event.objects.exclude(status=EventStatus.DRAFT).filter(
        date__gte=today - dt.timedelta(days=60), date__lte=today + dt.timedelta(days=60)
    )
    queued = 0
    for event in events:
        settings = queries.mail_settings(event)
        for schedule in SCHEDULES:
            window = schedule.window(event, settings)
            if window is None or not window[0] <= now < window[1]:
                continue
            skip = (
                queries.opted_out_addresses(event)
                if schedule.kind in NON_ESSENTIAL_KINDS
                else set()
            )
            registrations = Registration.objects.filter(
                event=event, status=RegistrationStatus.CONFIRMED
            ).exclude(outgoing_mail__schedule=schedule.key)
            for registration in registrations.iterator():
                if registration.email in skip:
                    continue
                mail = queue_scheduled_mail(registration, schedule=schedule.key, kind=schedule.kind)
                queued += mail is not None
    return queued


def enqueue_schedule_runs(event: Event) -> None:
    """Have the worker run the schedules at each of the event's coming due moments."""

    if not tasks.run_mail_schedules.get_backend().supports_defer:
        return  # cron (`send_queued_mail`) runs them
    settings = queries.mail_settings(event)
    now = timezone.now()
    for schedule in SCHEDULES:
        due = schedule.due_from(event, settings)
        if due is not None and due > now:
            enqueue_on_commit(tasks.run_mail_schedules.using(run_after=due))
