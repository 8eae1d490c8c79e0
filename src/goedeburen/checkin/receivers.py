"""Keep tickets in line with registrations: void the old one at once when someone else goes
instead or the registration is cancelled, issue one when it is made or confirmed.

Connected through `common.receivers.connect_receivers`: a failure is logged and never
breaks the registration. Admission does not depend on these receivers: a scan checks the
attendee's current secret and the registration's status itself (`decisions`), and the
check-in app syncs the event's tickets before it hands out its list.
"""

from goedeburen.common.receivers import connect_receivers
from goedeburen.registration import signals
from goedeburen.registration.models import Registration

from . import services


def sync_tickets(registration, **kwargs):
    services.sync_registration_tickets(registration)


def registration_created(registration, *, attendees=None, **kwargs):
    if attendees is None:
        sync_tickets(registration)
    else:  # new attendees have no ticket yet: nothing to read
        services.issue_new_tickets(registration, attendees)


def registration_changed(registration, **kwargs):
    sync_tickets(registration)


def registration_confirmed(registration, **kwargs):
    sync_tickets(registration)


def registration_approved(registration, **kwargs):
    sync_tickets(registration)


def registration_cancelled(registration, **kwargs):
    sync_tickets(registration)


RECEIVERS = {
    signals.registration_created: registration_created,
    signals.registration_changed: registration_changed,
    signals.registration_confirmed: registration_confirmed,
    signals.registration_approved: registration_approved,
    signals.registration_cancelled: registration_cancelled,
}


def connect() -> None:
    """Connect the receivers (from `CheckinConfig.ready`)."""
    connect_receivers(RECEIVERS, app="checkin", sender=Registration)
