"""Turn the event's programme, attendees and rules into a solver instance, and back.

Ids in the instance: `a<attendee pk>`, `r<round pk>`, `s<session pk>`; the group is the
attendee's attending role. Every confirmed attendee takes part in every round.
"""

from goedeburen.events.models import Event

from . import queries
from .solver import Instance, Participant, Round, Rules, Session
from .solver.instance import largest_exact_cost


def rules_for(event: Event) -> Rules:
    """Return the event's rules as the solver's."""
    settings = queries.matching_settings(event)
    return Rules(
        max_group_share=float(settings.max_group_share) / 100,
        spread_groups=tuple(settings.spread_roles),
        rank_cost=tuple(int(c) for c in settings.rank_costs),
        unranked_cost=settings.unranked_cost,
        avoid_repeat_meetings=settings.avoid_repeat_meetings,
    )


def build_instance(event: Event) -> Instance:
    """Return the instance of the event as it is now."""
    rounds = queries.rounds(event)
    attendees = list(queries.participants(event))
    ids = [a.pk for a in attendees]
    rankings = queries.rankings_by_attendee(ids)
    pins = queries.pins_by_attendee(ids)
    solver_rounds = tuple(
        Round(
            id=f"r{round_.pk}",
            sessions=tuple(
                Session(
                    id=f"s{s.pk}",
                    topic=queries.topic_of(s),
                    capacity=s.capacity,
                    mix=queries.is_mix_session(s),
                )
                for s in round_.sessions.all()
            ),
        )
        for round_ in rounds
    )
    round_ids = [round_.pk for round_ in rounds if round_.sessions.all()]
    participants = []
    for attendee in attendees:
        fixed = {f"r{r}": f"s{s}" for r, s in pins.get(attendee.pk, {}).items()}
        preferences = {
            f"r{r}": tuple(f"s{s}" for s in rankings.get(attendee.pk, {}).get(r, ()))
            for r in round_ids
            if f"r{r}" not in fixed
        }
        participants.append(
            Participant(
                id=f"a{attendee.pk}", group=attendee.role, preferences=preferences, fixed=fixed
            )
        )
    return Instance(
        rounds=tuple(r for r in solver_rounds if r.sessions),
        participants=tuple(participants),
        rules=rules_for(event),
    )


def cost_limit(event: Event, *, costs: list[int]) -> tuple[int, int]:
    """Return (the largest cost, participant-rounds) the event's instance allows with `costs`.

    The limit of an instance file (`solver.instance._costs_add_up`), for the event as it is
    now: every confirmed attendee in every round that has sessions.
    """
    slots = queries.participant_rounds(event)
    return largest_exact_cost(costs, slots)[0], slots


def pk(solver_id: str) -> int:
    """Return the primary key in an instance id (`a12` → 12)."""
    return int(solver_id[1:])
