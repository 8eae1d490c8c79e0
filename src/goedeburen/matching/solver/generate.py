"""Realistic random instances, for the benchmark, the tests and the demo.

Popularity is skewed (some projects draw many more people than others), a share of people
rank nothing, and the groups are mixed like the audience of a Goede buren conference.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .instance import Instance, Participant, Round, Rules, Session

# The attending roles of the registration app, with shares like the conference's audience.
GROUP_SHARES = {
    "housing_corporation": 0.27,
    "care_welfare": 0.19,
    "municipality": 0.14,
    "national_platform": 0.08,
    "ministry": 0.04,
    "research_education": 0.08,
    "resident": 0.14,
    "other": 0.06,
}


@dataclass(frozen=True)
class Size:
    """People; repeated mix rounds (sessions × seats, same topics each round); one more round."""

    people: int
    mix_rounds: int
    mix_sessions: int
    mix_seats: int
    extra_sessions: int = 0
    extra_seats: int = 0
    ranked: int = 5
    unranked_share: float = 0.05
    speakers: bool = True


SIZES = {
    "conference": Size(240, 2, 24, 11, 8, 34),
    "tight": Size(600, 2, 50, 12, speakers=False),
    "large": Size(2000, 2, 120, 18, 40, 55),
}


def generate(size: Size, *, seed: int = 1, rules: Rules | None = None) -> Instance:
    """Return a random instance of `size`; the same seed gives the same instance."""
    rng = random.Random(seed)  # noqa: S311 - test instances, reproducible by seed
    rounds = []
    topics = [f"t{k + 1}" for k in range(size.mix_sessions)]
    for n in range(size.mix_rounds):
        rounds.append(
            Round(
                id=f"r{n + 1}",
                sessions=tuple(
                    Session(id=f"r{n + 1}-s{k + 1}", topic=t, capacity=size.mix_seats, mix=True)
                    for k, t in enumerate(topics)
                ),
            )
        )
    if size.extra_sessions:
        n = size.mix_rounds + 1
        rounds.append(
            Round(
                id=f"r{n}",
                sessions=tuple(
                    Session(
                        id=f"r{n}-w{k + 1}", topic=f"w{k + 1}", capacity=size.extra_seats, mix=False
                    )
                    for k in range(size.extra_sessions)
                ),
            )
        )
    popularity = {r.id: {s.id: 1.0 / (rng.random() * 3 + 0.4) for s in r.sessions} for r in rounds}
    # Topics popular in one round are popular in the next.
    for r in rounds[1 : size.mix_rounds]:
        for s, first in zip(r.sessions, rounds[0].sessions, strict=True):
            popularity[r.id][s.id] = popularity[rounds[0].id][first.id]
    groups = list(GROUP_SHARES)
    weights = list(GROUP_SHARES.values())
    participants = []
    extra = rounds[-1] if size.extra_sessions else None
    for i in range(size.people):
        group = rng.choices(groups, weights)[0]
        fixed = {}
        if size.speakers and extra is not None and i < len(extra.sessions):
            fixed[extra.id] = extra.sessions[i].id  # a speaker of a work session
        preferences = {}
        for r in rounds:
            if r.id in fixed:
                continue
            if rng.random() < size.unranked_share:
                preferences[r.id] = ()
                continue
            preferences[r.id] = tuple(
                _weighted_sample(rng, popularity[r.id], min(size.ranked, len(r.sessions)))
            )
        participants.append(
            Participant(id=f"p{i + 1}", group=group, preferences=preferences, fixed=fixed)
        )
    return Instance(rounds=tuple(rounds), participants=tuple(participants), rules=rules or Rules())


def _weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    # Efraimidis–Spirakis: the k largest u^(1/w) are a weighted sample without replacement.
    keys = sorted(weights, key=lambda s: rng.random() ** (1.0 / weights[s]), reverse=True)
    return keys[:k]
