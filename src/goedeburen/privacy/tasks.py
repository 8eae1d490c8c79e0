"""Background work of the privacy domain: the daily retention run.

`daily_retention` applies the retention periods and enqueues itself for the next night;
the claim on its `DailyRun` row keeps one chain however often it was started (the worker
starts it, see `start_daily_retention`; `goedeburen apply_retention` does the same from
cron for a backend that cannot defer).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from goedeburen.common.tasks import enqueue_on_commit

from . import services
from .models import DailyRun

KEY = "privacy.retention"
# Runs at night, when nobody registers.
HOUR = 3


def next_night(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    moment = local.replace(hour=HOUR, minute=0, second=0, microsecond=0)
    if moment <= local:
        moment += dt.timedelta(days=1)
    return moment


@task()
def daily_retention() -> dict:
    """Apply the retention periods now, then enqueue the next night's run (once)."""
    report = services.apply_retention()
    now = timezone.now()
    with transaction.atomic():
        run, _created = DailyRun.objects.get_or_create(key=KEY, defaults={"next_run": now})
        # Only the run that moves the row on enqueues the next one: a second chain (started
        # twice) finds the row moved already and ends here.
        moved = DailyRun.objects.filter(pk=run.pk, next_run__lte=now).update(
            next_run=next_night(now)
        )
        if moved and daily_retention.get_backend().supports_defer:
            enqueue_on_commit(daily_retention.using(run_after=next_night(now)))
    return {"erased": report.total}


def start_daily_retention() -> None:
    """Make sure the daily chain runs: enqueue a run now unless one is due later."""
    now = timezone.now()
    run = DailyRun.objects.filter(key=KEY).first()
    if run is None or run.next_run <= now:
        enqueue_on_commit(daily_retention)
