"""What an attendee puts on their badge."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.registration import services as registration_services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee

from .. import exceptions
from ..exceptions import CheckinError
from ..models import BADGE_EDIT_CLOSES, DayChoices

PRONOUNS_MAX = 30


def badge_closes(event) -> dt.datetime:
    """Return until when participants may change their badge (48 hours before the start)."""
    return event.starts_at() - BADGE_EDIT_CLOSES


def change_badge(
    attendee: Attendee,
    *,
    badge_name: str,
    pronouns: str,
    show_organisation: bool,
    name_for_caterer: bool = False,
    by=None,
) -> DayChoices:
    """Set what `attendee`'s badge shows (and whether the caterer sees their name), or raise
    `CheckinError`.

    The participant (`by` None) may do so until 48 hours before the event starts; the
    organiser later too. The name choice (full or first name only) is the registration's
    field and changes through `registration.services.change_registration`, so its deadline
    and log hold as well.

    Side effects: the attendee's `DayChoices` row; the registration's change (log entry,
    signal); a log entry.
    """
    event = attendee.registration.event
    if by is None and timezone.now() > badge_closes(event):
        raise CheckinError(exceptions.BADGE_CLOSED, code="badge_closed")
    pronouns = " ".join(pronouns.split())[:PRONOUNS_MAX]
    try:
        with transaction.atomic():
            if badge_name != attendee.badge_name:
                registration_services.change_registration(
                    attendee.registration,
                    by=by,
                    attendees={attendee.pk: {"badge_name": badge_name}},
                )
            details, _created = DayChoices.objects.update_or_create(
                attendee=attendee,
                defaults={
                    "pronouns": pronouns,
                    "show_organisation": show_organisation,
                    "name_for_caterer": name_for_caterer,
                },
            )
            log_action(
                attendee.registration,
                action="checkin.badge_changed",
                by=by,
                data={"name": attendee.full_name},
            )
    except RegistrationError as refused:
        raise CheckinError(refused.message, code="badge_closed") from refused
    return details
