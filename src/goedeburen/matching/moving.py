"""What moving one person by hand would do to a run's placement, said before it is done."""

from dataclasses import dataclass

from goedeburen.events.models import Session
from goedeburen.registration.models import Attendee

from .building import build_instance
from .models import AssignmentRun, Placement
from .queries import is_mix_session
from .solver.check import check_rules


@dataclass(frozen=True)
class MovePreview:
    """What moving one person to a session would do, said before it is done."""

    placement: Placement  # where they are now in that round
    target: Session
    seats_taken: int  # in the target after the move
    over_capacity: bool
    choice: int | None  # 1-based rank of the target in their choices; None: not ranked
    pinned_elsewhere: bool
    repeats_topic: bool
    mix_breaks: list[Session]  # sessions where a group would hold more than its share
    spread_broken: bool  # their group would no longer be spread evenly in the round

    @property
    def breaks_rules(self) -> bool:
        return (
            self.over_capacity
            or self.pinned_elsewhere
            or self.repeats_topic
            or bool(self.mix_breaks)
            or self.spread_broken
        )


def move_preview(run: AssignmentRun, *, attendee: Attendee, session: Session) -> MovePreview | None:
    """Return what moving `attendee` to `session` would change (None: not in that round)."""
    placement = (
        Placement.objects.filter(run=run, attendee=attendee, round_id=session.round_id)
        .select_related("session", "round")
        .first()
    )
    if placement is None:
        return None
    instance = build_instance(run.event)
    person = next((p for p in instance.participants if p.id == f"a{attendee.pk}"), None)
    assignment: dict[str, dict[str, str]] = {}
    for attendee_id, round_id, session_id in Placement.objects.filter(run=run).values_list(
        "attendee_id", "round_id", "session_id"
    ):
        assignment.setdefault(f"a{attendee_id}", {})[f"r{round_id}"] = f"s{session_id}"
    before = check_rules(instance, assignment)
    moved = {pid: dict(rounds) for pid, rounds in assignment.items()}
    moved.setdefault(f"a{attendee.pk}", {})[f"r{session.round_id}"] = f"s{session.pk}"
    after = check_rules(instance, moved)
    round_key, session_key = f"r{session.round_id}", f"s{session.pk}"
    seats = sum(1 for rounds in moved.values() if rounds.get(round_key) == session_key)
    ranked = person.preferences.get(f"r{session.round_id}", ()) if person else ()
    topics = {s.id: s.topic for r in instance.rounds for s in r.sessions}
    own_topics = {topics[s] for r, s in moved.get(f"a{attendee.pk}", {}).items() if r != round_key}
    mix_sessions = []
    if after.mix > before.mix:
        changed = {placement.session_id, session.pk}
        mix_sessions = [
            s
            for s in Session.objects.filter(pk__in=changed).order_by("order", "pk")
            if any(line.startswith(f"s{s.pk}: ") for line in after.details) and is_mix_session(s)
        ]
    return MovePreview(
        placement=placement,
        target=session,
        seats_taken=seats,
        over_capacity=seats > session.capacity,
        choice=ranked.index(f"s{session.pk}") + 1 if f"s{session.pk}" in ranked else None,
        pinned_elsewhere=bool(person and f"r{session.round_id}" in person.fixed)
        and person.fixed[f"r{session.round_id}"] != f"s{session.pk}",
        repeats_topic=topics.get(f"s{session.pk}") in own_topics,
        mix_breaks=mix_sessions,
        spread_broken=after.spread > before.spread,
    )
