"""The mailing screen's "checked in or not" filter (registered with `mail.segments`)."""

from django.utils.translation import gettext_lazy as _

from goedeburen.mail.segments import SegmentFilter, register_filter

from .models import CheckIn

CHECKED_IN, NOT_CHECKED_IN = "checked_in", "not_checked_in"
CHOICES = [(CHECKED_IN, _("checked in")), (NOT_CHECKED_IN, _("not checked in"))]


def _apply(attendees, values):
    if set(values) >= {CHECKED_IN, NOT_CHECKED_IN}:
        return attendees
    came = CheckIn.objects.filter(undone__isnull=True).values("attendee_id")
    if CHECKED_IN in values:
        return attendees.filter(pk__in=came)
    return attendees.exclude(pk__in=came)


def register() -> None:
    register_filter(
        SegmentFilter(
            key="checked_in", label=_("check-in"), choices=lambda event: CHOICES, apply=_apply
        )
    )
