"""A second, independent generator of instances, by rules other than `instances.py`'s.

Where `wild_instance` varies the format's open cases on small, evenly built rounds, this one
varies the structure of a conference: rounds with very different numbers of sessions (one
plenary beside 300 small living rooms); many tiny mix rooms (3 to 6 seats); topics that come
back in some rounds but not all; people who attend only some rounds; hosts pinned in some
rounds, into mix and non-mix sessions and into sessions their hosts fill (or overfill); one
group holding up to 70 % of the people; several spread groups (one that nobody is in);
shares of 0.25, 0.34, 0.5 and 1; rank costs shorter or longer than the rankings; empty
rankings; unicode, numeric and odd ids (a session id that is also a round id, the same
session id in every round); sessions of 0 seats; and rules keys left out. The same seed and
sizes give the same document.
"""

import random

_SHARES = (0.25, 0.34, 0.5, 1.0, 0.4)
_ODD = ("é", "ß", "中", "🙂", " ", "-", ".", "/", '"', "\\")


def _ident(rng: random.Random, style: str, kind: str, n: int, round_id: str = ""):
    if style == "number":
        return n + {"r": 0, "s": 500, "p": 10_000}[kind]
    if style == "odd":
        return f"{kind}{rng.choice(_ODD)}{n}"
    if style == "same-in-every-round" and kind == "s":
        return f"s{n}"  # numbered per round: one written id in several rounds
    if style == "round-as-session" and kind == "s" and n == 0:
        return round_id  # a session named like its round
    return f"{kind}{n}"


def rough_instance(
    seed: int,
    *,
    people: int,
    rooms: int = 30,
    kinds: tuple[str, ...] | None = None,
    overfull: bool = True,
) -> dict:
    """Return a valid instance document for up to `people` participants.

    `rooms`: the largest number of sessions a round may have (the many-small-rooms rounds);
    `kinds`: the kinds of round, one per round ("tiny-rooms", "plenary", "workshops",
    "mixed"), instead of 1 to 4 rounds of kinds drawn by the seed; `overfull`: hosts may
    be pinned to a session one more than it seats (no placement of everyone then exists).
    """
    rng = random.Random(seed)
    style = rng.choice(("plain", "number", "odd", "same-in-every-round", "round-as-session"))
    n_people = rng.randint(max(1, people // 2), people)
    # Groups: one that is large (40 % to 70 %), the rest small and uneven.
    big = rng.choice((0.4, 0.55, 0.7))
    groups = ["resident", "corporation", "care", "municipality", "ÜberGroep"]
    weights = [big, *sorted((rng.random() for _ in groups[1:]), reverse=True)]
    rest = sum(weights[1:])
    weights = [big] + [(1 - big) * w / rest for w in weights[1:]]
    rng.shuffle(groups)
    share = rng.choice(_SHARES)
    n_rounds = len(kinds) if kinds else rng.randint(1, 4)
    topics = [f"topic-{k}" for k in range(rooms + 3)]
    doc_rounds = []
    session_ids = []  # per round: the written ids
    per_round_people = []
    for r in range(n_rounds):
        round_id = _ident(rng, style, "r", r)
        kind = kinds[r] if kinds else rng.choice(("tiny-rooms", "plenary", "workshops", "mixed"))
        attend = n_people if rng.random() < 0.5 else rng.randint(n_people // 3, n_people)
        per_round_people.append(attend)
        sessions = []
        if kind == "tiny-rooms":
            # Many mix rooms of 3 to 6 seats; seats for about everyone, sometimes a few short.
            seats_needed = attend * rng.choice((1.0, 1.1, 1.3))
            while sum(s["capacity"] for s in sessions) < seats_needed and len(sessions) < rooms:
                sessions.append({"capacity": rng.randint(3, 6), "mix": True})
            if sum(s["capacity"] for s in sessions) < attend:
                sessions.append({"capacity": attend, "mix": False})  # the hall
        elif kind == "plenary":
            sessions.append({"capacity": attend + rng.randint(0, 3), "mix": rng.random() < 0.3})
        elif kind == "workshops":
            n = rng.randint(2, max(2, rooms // 6))
            each = -(-attend // n)
            for _ in range(n):
                sessions.append(
                    {"capacity": rng.choice((each, each + 1, 2 * each)), "mix": rng.random() < 0.5}
                )
        else:
            n = rng.randint(2, max(2, rooms // 3))
            for _ in range(n):
                sessions.append({"capacity": rng.randint(3, 12), "mix": True})
            sessions.append({"capacity": attend, "mix": False})
        if rng.random() < 0.3:
            sessions.append({"capacity": 0, "mix": rng.random() < 0.5})
        ids = []
        for k, session in enumerate(sessions):
            sid = _ident(
                rng,
                style,
                "s",
                k
                if style == "same-in-every-round"
                else len([x for xs in session_ids for x in xs]) + k,
                str(round_id),
            )
            session["id"] = sid
            ids.append(sid)
            # Topics: some come back in other rounds (the same conversation again), some not.
            if rng.random() < 0.5:
                session["topic"] = topics[k % len(topics)]
            elif rng.random() < 0.5:
                session["topic"] = f"{round_id}-own-{k}"
            # else: no topic, the session's id is its topic
            if rng.random() < 0.05:
                session["room"] = {"floor": 2}  # unknown key
            if rng.random() < 0.2 and not session["mix"]:
                del session["mix"]
        session_ids.append(ids)
        doc_rounds.append({"id": round_id, "sessions": sessions, "kind": kind})
    participants = []
    rank_len = rng.choice((0, 1, 2, 3, 5, 8))
    for i in range(n_people):
        person: dict = {"id": _ident(rng, style, "p", i)}
        group = rng.choices(groups, weights)[0]
        if rng.random() < 0.02:
            pass  # no group at all
        else:
            person["group"] = group
        prefs = {}
        for r, round_ in enumerate(doc_rounds):
            if i >= per_round_people[r] and rng.random() < 0.9:
                continue
            ids = session_ids[r]
            length = min(len(ids), rng.randint(0, rank_len))
            prefs[str(round_["id"])] = rng.sample(ids, length)  # JSON keys are text
        if prefs or rng.random() < 0.5:
            person["preferences"] = prefs
        participants.append(person)
    # Hosts: a few people pinned in some rounds, into any session (mix or not), some of
    # them filling their session to the last seat or past it.
    for round_ in doc_rounds:
        if rng.random() < 0.4 or not participants:
            continue
        sessions = [s for s in round_["sessions"] if s["capacity"] > 0]
        if not sessions:
            continue
        for session in rng.sample(sessions, min(len(sessions), rng.randint(1, 8))):
            hosts = rng.choice((1, 1, 2, session["capacity"], session["capacity"] + overfull))
            for person in rng.sample(participants, min(hosts, len(participants))):
                person.setdefault("fixed", {})[str(round_["id"])] = session["id"]
    for round_ in doc_rounds:
        round_.pop("kind")
    doc: dict = {"rounds": doc_rounds, "participants": participants}
    rules: dict = {}
    if rng.random() < 0.9:
        rules["max_group_share"] = share
    if rng.random() < 0.9:
        spread = rng.sample(groups, rng.randint(0, 3))
        if rng.random() < 0.3:
            spread.append("niemand")
        rules["spread_groups"] = spread
    if rng.random() < 0.85:
        rules["rank_cost"] = sorted(rng.sample(range(20), rng.randint(1, 7)))
    if rng.random() < 0.85:
        rules["unranked_cost"] = rng.choice((4, 10, 25, 100))
    if rng.random() < 0.7:
        rules["avoid_repeat_meetings"] = rng.random() < 0.5
    if rules or rng.random() < 0.5:
        doc["rules"] = rules
    return doc


def canonical(doc: dict) -> dict:
    """Return `doc` as the plainest reader takes it: ids as text, unique over all rounds,
    topics and groups written out (`reference.py` reads only documents of that form).

    The same instance: a session keeps its topic (its own written id when left out), a
    participant without a group gets one nobody else has, rankings name the same sessions.
    """

    def own(round_id, session_id) -> str:
        return f"{round_id}//{session_id}"

    rounds = []
    by_written: dict[str, dict[str, str]] = {}  # written id → round → canonical id
    for round_ in doc["rounds"]:
        rid = str(round_["id"])
        sessions = []
        for s in round_["sessions"]:
            sid = str(s["id"])
            by_written.setdefault(sid, {})[rid] = own(rid, sid)
            topic = s.get("topic")
            sessions.append(
                {
                    "id": own(rid, sid),
                    "topic": str(sid if topic in (None, "") else topic),
                    "capacity": s["capacity"],
                    "mix": bool(s.get("mix")),
                }
            )
        rounds.append({"id": rid, "sessions": sessions})

    def session(rid: str, sid) -> str:
        # A ranking or pin naming another round's session: that session (no choice here).
        options = by_written[str(sid)]
        return options.get(rid) or next(iter(options.values()))

    people = []
    for p in doc["participants"]:
        group = p.get("group")
        people.append(
            {
                "id": str(p["id"]),
                "group": "\x00none" if group in (None, "") else str(group),
                "preferences": {
                    str(rid): [session(str(rid), sid) for sid in ranked]
                    for rid, ranked in (p.get("preferences") or {}).items()
                },
                "fixed": {
                    str(rid): session(str(rid), sid) for rid, sid in (p.get("fixed") or {}).items()
                },
            }
        )
    rules = {k: v for k, v in (doc.get("rules") or {}).items() if v is not None}
    if "spread_groups" in rules:
        rules["spread_groups"] = [str(g) for g in rules["spread_groups"]]
    return {"rounds": rounds, "participants": people, "rules": rules}
