"""Check-in's personal data about a registration, for the privacy work (`common.personal_data`).

Check-ins and scans hold no name, only the attendee (whose row the erasure anonymises); a
certificate holds the name as it was printed, which an erasure blanks.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.common.personal_data import Part, Preview
from goedeburen.common.personal_data import register as register_part

from .models import Certificate, CheckIn


def _certificates(registration):
    return Certificate.objects.filter(attendee__registration=registration)


def export(registration) -> dict:
    return {
        "check_ins": [
            {"attendee": c.attendee_id, "session": c.session_id, "at": c.at.isoformat()}
            for c in CheckIn.objects.filter(
                attendee__registration=registration, undone__isnull=True
            ).order_by("at")
        ],
        "certificates": [
            {"name": c.name, "code": c.code, "hours": str(c.hours)}
            for c in _certificates(registration)
        ],
    }


def preview(registration) -> Preview:
    count = _certificates(registration).count()
    if not count:
        return Preview()
    return Preview(erased=[_("the name on %(count)s certificates") % {"count": count}])


def erase(registration) -> int:
    return _certificates(registration).exclude(name="—").update(name="—")


def register() -> None:
    """Register check-in's part (from `CheckinConfig.ready`)."""
    register_part(
        Part(
            name="checkin",
            label=gettext_lazy("Check-in and certificates"),
            export=export,
            preview=preview,
            erase=erase,
        )
    )
