"""Place a late registration, or free a cancelled one's seats, by an incremental re-run.

Only once a placement is published: before that the organiser's next run includes everyone.
Like every receiver of `registration.signals` this only writes a row and enqueues work;
`common.receivers` runs it in a savepoint, so a failure here never breaks a registration.
"""

from goedeburen.common.receivers import connect_receivers
from goedeburen.registration import signals
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration

from . import queries
from .services import rerun_after_change


def registration_created(registration, **kwargs):
    if registration.status == RegistrationStatus.CONFIRMED:
        _rerun(registration)


def registration_confirmed(registration, **kwargs):
    _rerun(registration)


def registration_cancelled(registration, **kwargs):
    _rerun(registration)


def _rerun(registration):
    if queries.published_run(registration.event) is not None:
        rerun_after_change(registration.event)


def _confirmed(registration, **kwargs) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED


RECEIVERS = {
    # Most bookings pend payment or approval: those need no savepoint at all.
    signals.registration_created: (registration_created, _confirmed),
    signals.registration_confirmed: registration_confirmed,
    signals.registration_cancelled: registration_cancelled,
}


def connect() -> None:
    """Connect the receivers to the registration signals (from `MatchingConfig.ready`)."""
    connect_receivers(RECEIVERS, app="matching", sender=Registration)
