"""The mailing screen's "round or session" filter (registered with `mail.segments`).

It narrows a mailing to the people the published placement seats in a round ("r<id>") or
in one session ("s<id>"); before anything is published it matches nobody.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from goedeburen.mail.segments import SegmentFilter, register_filter

from . import queries
from .models import Placement


def _choices(event) -> list[tuple[str, str]]:
    choices = []
    for round_ in queries.rounds(event):
        choices.append((f"r{round_.pk}", _("%(round)s: every session") % {"round": round_.t.title}))
        choices.extend(
            (f"s{session.pk}", f"{round_.t.title}: {session.t.title}")
            for session in round_.sessions.all()
        )
    return choices


def _apply(attendees, values):
    rounds = [int(v[1:]) for v in values if v.startswith("r")]
    sessions = [int(v[1:]) for v in values if v.startswith("s")]
    placed = Placement.objects.filter(
        Q(round_id__in=rounds) | Q(session_id__in=sessions),
        run__is_published=True,
        attendee=OuterRef("pk"),
    )
    return attendees.filter(Exists(placed))


def register() -> None:
    register_filter(
        SegmentFilter(
            key="session",
            label=_("round or session (published placement)"),
            choices=_choices,
            apply=_apply,
        )
    )
