"""Small random instances as JSON documents, for the solver tests."""

import random


def random_instance(
    seed: int,
    *,
    people: int,
    rounds: int,
    sessions: int,
    seats: int,
    groups=("corporation", "care", "municipality", "resident"),
    share=0.5,
    ranked=3,
    spare=1.25,
) -> dict:
    rng = random.Random(seed)
    topics = [f"t{k}" for k in range(sessions)]
    doc_rounds = []
    for r in range(rounds):
        # Every other round repeats the topics of the first, as the living rooms do.
        sess = []
        for k in range(sessions):
            sess.append(
                {
                    "id": f"r{r}-s{k}",
                    "topic": topics[k] if r % 2 == 0 or rng.random() < 0.7 else f"x{r}-{k}",
                    "capacity": seats,
                    "mix": rng.random() < 0.8,
                }
            )
        doc_rounds.append({"id": f"r{r}", "sessions": sess})
    total_seats = sessions * seats
    people = min(people, int(total_seats / spare))
    participants = []
    for i in range(people):
        prefs = {}
        for rd in doc_rounds:
            ids = [s["id"] for s in rd["sessions"]]
            rng.shuffle(ids)
            prefs[rd["id"]] = ids[: rng.randint(0, ranked)]
        participants.append({"id": f"p{i}", "group": rng.choice(groups), "preferences": prefs})
    return {
        "rounds": doc_rounds,
        "participants": participants,
        "rules": {
            "max_group_share": share,
            "spread_groups": ["resident"],
            "rank_cost": [0, 1, 3],
            "unranked_cost": 7,
            "avoid_repeat_meetings": True,
        },
    }
