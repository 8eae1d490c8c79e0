"""Place a late registration, or free a cancelled one's seats, by an incremental re-run.

Only once a placement is published: before that the organiser's next run includes everyone.
Like every receiver of `registration.signals` this only writes a row and enqueues work, in
a savepoint, so a failure here never breaks a registration.
"""

import functools
import logging

from django.db import transaction
from django.dispatch import receiver

from goedeburen.registration import signals
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from . import queries
from .services import rerun_after_change

logger = logging.getLogger(__name__)


def _never_breaks_the_flow(handler):
    @functools.wraps(handler)
    def wrapper(sender, registration, **kwargs):
        try:
            with transaction.atomic():
                handler(registration, **kwargs)
        except Exception:
            logger.exception("No re-run queued after a change to registration %s", registration.pk)

    return wrapper


@receiver(signals.registration_created, sender=Registration, dispatch_uid="matching.created")
@_never_breaks_the_flow
def registration_created(registration, **kwargs):
    if registration.status == RegistrationStatus.CONFIRMED:
        _rerun(registration)


@receiver(signals.registration_confirmed, sender=Registration, dispatch_uid="matching.confirmed")
@_never_breaks_the_flow
def registration_confirmed(registration, **kwargs):
    _rerun(registration)


@receiver(signals.registration_cancelled, sender=Registration, dispatch_uid="matching.cancelled")
@_never_breaks_the_flow
def registration_cancelled(registration, **kwargs):
    _rerun(registration)


def _rerun(registration):
    if queries.published_run(registration.event) is not None:
        rerun_after_change(registration.event)
