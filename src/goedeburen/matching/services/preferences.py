"""Participants rank sessions; organisers set the rules and pin hosts and speakers."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.singletons import save_the_one
from goedeburen.events.models import Role, Round, Session, TeamMember
from goedeburen.registration.enums import MAY_RANK, RegistrationStatus
from goedeburen.registration.models import Attendee, Registration
from goedeburen.registration.queries import locked_registration

from .. import exceptions, queries
from ..exceptions import MatchingError
from ..models import MatchingSettings, Pin, Ranking, SessionHost


def _now() -> dt.datetime:
    return timezone.now()


def lock_registration(registration: Registration) -> Registration:
    """Return `registration` fresh from the database, its row locked until the transaction
    ends: a second save of the same choices waits here for the first to commit."""
    return locked_registration(registration)[0]


def save_rankings(
    attendee: Attendee,
    *,
    rankings: dict[int, list[int]],
    now: dt.datetime | None = None,
) -> list[Ranking]:
    """Replace the attendee's rankings of the given rounds (round id → session ids, best first).

    A round left out keeps its rankings; an empty list clears them. Refused after the
    deadline, for an attendee who holds no seat (`registration.enums.MAY_RANK`: confirmed or
    pending payment), and for sessions of another round or event. Side effects: Ranking
    rows replaced; a log entry on the attendee.

    The registration's row is locked while the rows are replaced, and its state checked
    again under the lock: two saves of one attendee's choices (a double click, two tabs)
    happen one after the other, and a cancellation comes wholly before or after a save.
    """
    now = now or _now()
    registration = attendee.registration
    event = registration.event
    if registration.status not in MAY_RANK:
        raise MatchingError(exceptions.NOT_ATTENDING, code="not_attending")
    if now > queries.ranking_deadline(event):
        raise MatchingError(exceptions.RANKING_CLOSED, code="ranking_closed")
    rounds = {r.pk: r for r in Round.objects.filter(event=event)}
    sessions = {s.pk: s for s in Session.objects.filter(round__event=event)}
    for round_id, session_ids in rankings.items():
        if round_id not in rounds:
            raise MatchingError(exceptions.UNKNOWN_SESSION, code="unknown_session")
        if len(set(session_ids)) != len(session_ids):
            raise MatchingError(exceptions.RANKED_TWICE, code="ranked_twice")
        for session_id in session_ids:
            if session_id not in sessions:
                raise MatchingError(exceptions.UNKNOWN_SESSION, code="unknown_session")
            if sessions[session_id].round_id != round_id:
                raise MatchingError(exceptions.WRONG_ROUND, code="wrong_round")
    with transaction.atomic():
        registration = lock_registration(registration)
        attending = registration.status in MAY_RANK
        if not (
            attending
            and Attendee.objects.filter(pk=attendee.pk, registration=registration).exists()
        ):
            raise MatchingError(exceptions.NOT_ATTENDING, code="not_attending")
        Ranking.objects.filter(attendee=attendee, session__round_id__in=list(rankings)).delete()
        rows = Ranking.objects.bulk_create(
            Ranking(attendee=attendee, session_id=session_id, rank=rank)
            for session_ids in rankings.values()
            for rank, session_id in enumerate(session_ids, start=1)
        )
        log_action(
            attendee,
            action="matching.ranked",
            data={str(r): ids for r, ids in rankings.items()},
        )
    return rows


def save_matching_settings(settings: MatchingSettings, *, by) -> MatchingSettings:
    """Store the organiser's assignment rules (a validated instance). Side effect: a log entry."""
    with transaction.atomic():
        # The one row per event is `save_the_one`'s to keep: a first save sent twice at
        # once writes over the row the other made (checked here, it would be refused).
        settings.full_clean(validate_unique=False)
        save_the_one(settings, event=settings.event)
        log_action(settings.event, action="matching.rules_changed", by=by)
    return settings


def pin_attendee(attendee: Attendee, *, session: Session, by) -> Pin:
    """Pin a host or speaker to `session` in its round (replacing an earlier pin there).

    Side effects: the Pin row; a log entry on the attendee.
    """
    if attendee.registration.status != RegistrationStatus.CONFIRMED:
        raise MatchingError(exceptions.NOT_CONFIRMED, code="not_confirmed")
    if session.round.event_id != attendee.registration.event_id:
        raise MatchingError(exceptions.UNKNOWN_SESSION, code="unknown_session")
    with transaction.atomic():
        pin, _ = Pin.objects.update_or_create(
            attendee=attendee, round=session.round, defaults={"session": session}
        )
        log_action(attendee, action="matching.pinned", by=by, data={"session": session.pk})
    return pin


def unpin_attendee(pin: Pin, *, by) -> None:
    """Remove a pin. Side effect: a log entry on the attendee."""
    with transaction.atomic():
        log_action(
            pin.attendee, action="matching.unpinned", by=by, data={"session": pin.session_id}
        )
        pin.delete()


def link_session_host(session: Session, *, user, by) -> SessionHost:
    """Let `user`, a team member with the host role for the session's event, see its list.

    Raise `MatchingError` for anyone else. Side effects: the SessionHost row (once); a log
    entry on the event.
    """
    event = session.round.event
    is_host = TeamMember.objects.filter(
        Q(event=event) | Q(event__isnull=True),
        organiser=event.organiser,
        user=user,
        role=Role.HOST,
    ).exists()
    if not is_host:
        raise MatchingError(exceptions.NOT_A_HOST, code="not_a_host")
    with transaction.atomic():
        host, created = SessionHost.objects.get_or_create(session=session, user=user)
        if created:
            log_action(
                event,
                action="matching.host_linked",
                by=by,
                data={"session": session.pk, "user": user.get_username()},
            )
    return host


def unlink_session_host(host: SessionHost, *, by) -> None:
    """Stop `host` seeing the session's list. Side effect: a log entry on the event."""
    with transaction.atomic():
        log_action(
            host.session.round.event,
            action="matching.host_unlinked",
            by=by,
            data={"session": host.session_id, "user": host.user.get_username()},
        )
        host.delete()
