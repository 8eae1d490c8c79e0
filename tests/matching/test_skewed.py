"""A third generator, by rules neither `wild_instance` nor `rough_instance` uses, as a
hypothesis strategy: every valid instance gets a result that keeps the format, and every
document, valid or not, gets a result file or one line and exit code 2 from the command.

Its rules: popularity skewed until everyone wants the same session; rooms of 0, 1 or 2 seats
beside one of more seats than JSON's floats hold; up to a hundred sessions in a round, or
none; one stakeholder group per person, one group for everyone, or groups left out;
everyone a host, or random pins that may clash; rank costs in any order (falling ones,
zeros, one above `unranked_cost`); shares written with many decimals; ids as JSON numbers.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goedeburen.matching.solver import parse_instance, solve
from goedeburen.matching.solver.cli import main as assign
from goedeburen.matching.solver.instance import ids_as_written
from tests.fuzzing import deterministic

from .checker import result_problems
from .reference import brute_force_optimum, solve_reference
from .rough_instances import canonical
from .test_instance_fuzz import _changed, _places, values
from .test_wild import _agrees_with

# Bounded and derandomized: the same examples on every run, a few seconds in CI.
FEW = settings(
    deterministic(60), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@st.composite
def skewed_instance(draw, *, people: int = 4, rounds: int = 2, sessions: int = 3) -> dict:
    """Return a valid instance document of at most `people`, `rounds` and `sessions` a round
    (a round of a hundred sessions now and then when `sessions` allows more than 3)."""
    # Ids as JSON numbers (17); as text; or sessions "a", "b" … in every round of r1 … r11.
    style = draw(st.sampled_from(["numbers", "text", "per-round"]))

    def ident(kind: str, n: int):
        if style == "numbers":
            return n + {"r": 0, "s": 100, "p": 1000}[kind]
        if style == "per-round" and kind == "r":
            return f"r{n + 1 if n < 2 else n + 9}"  # r1, r2, r11 …
        if style == "per-round" and kind == "s":
            return chr(ord("a") + n % 100) if n % 100 < 26 else f"z{n % 100}"
        return f"{kind}{n}"

    topics = draw(st.sampled_from(["own", "shared", "absent"]))
    doc_rounds = []
    for r in range(draw(st.sampled_from([0, 1, rounds, rounds]))):
        size = draw(st.sampled_from([0, 1, 2, sessions, 100 if sessions > 3 else sessions]))
        round_sessions = []
        for k in range(size):
            session = {
                "id": ident("s", 100 * r + k),
                "capacity": draw(st.sampled_from([0, 1, 1, 2, 2, people, 10**400])),
                "mix": draw(st.booleans()),
            }
            if topics == "shared":
                session["topic"] = f"t{k % 2}"  # the same two topics in every round
            elif topics == "own":
                session["topic"] = f"t{r}-{k}"
            round_sessions.append(session)
        doc_rounds.append({"id": ident("r", r), "sessions": round_sessions})
    grouping = draw(st.sampled_from(["each", "one", "absent", "numbers"]))
    hot = draw(st.booleans())  # everyone ranks the same list: the first session wanted by all
    hosts = draw(st.sampled_from(["none", "all", "some"]))
    participants = []
    for i in range(draw(st.sampled_from([0, 1, people // 2, people, people]))):
        person: dict = {"id": ident("p", i)}
        if grouping == "each":
            person["group"] = f"g{i}"
        elif grouping == "one":
            person["group"] = "resident"
        elif grouping == "numbers":
            person["group"] = i % 2
        preferences, fixed = {}, {}
        for round_ in doc_rounds:
            ids = [s["id"] for s in round_["sessions"]]
            if not draw(st.integers(0, 4)):
                continue  # not in this round, unless pinned there
            if hot:
                ranked = ids[:3]
            else:
                ranked = draw(st.lists(st.sampled_from(ids), max_size=4)) if ids else []
            preferences[round_["id"]] = ranked
            if ids and (hosts == "all" or (hosts == "some" and draw(st.booleans()))):
                fixed[round_["id"]] = draw(st.sampled_from(ids))
        person["preferences"] = preferences
        if fixed:
            person["fixed"] = fixed
        participants.append(person)
    groups = sorted({str(p.get("group", "")) for p in participants} - {""})
    rules = {
        "max_group_share": draw(st.sampled_from([0, 0.1, 0.25, 1 / 3, 0.4, 0.6, 2 / 3, 1])),
        "spread_groups": draw(st.sampled_from([[], groups, groups[:1], ["resident"]])),
        "rank_cost": draw(st.lists(st.integers(0, 30), min_size=1, max_size=4)),
        "unranked_cost": draw(st.sampled_from([0, 1, 5, 25, 1000])),
        "avoid_repeat_meetings": draw(st.booleans()),
    }
    return {"rounds": doc_rounds, "participants": participants, "rules": rules}


def _plain(doc) -> dict:
    """Return `canonical(doc)` with seats beyond everyone as many as everyone (the same
    instance, in numbers the reference's floats hold)."""
    plain = canonical(doc)
    for round_ in plain["rounds"]:
        for session in round_["sessions"]:
            session["capacity"] = min(session["capacity"], len(plain["participants"]))
    return plain


def _solved(doc) -> dict:
    instance = parse_instance(json.loads(json.dumps(doc)))
    return ids_as_written(instance, solve(instance).to_json())


@FEW
@given(skewed_instance(people=3, rounds=2, sessions=3))
def test_tiny_skewed_instance_is_solved_to_the_optimum_of_every_placement(doc):
    result = _solved(doc)

    assert result_problems(doc, result) == []
    _agrees_with(brute_force_optimum(_plain(doc)), result)


@settings(FEW, max_examples=80)
@given(skewed_instance(people=8, rounds=3, sessions=6).filter(lambda d: d["participants"]))
def test_small_skewed_instance_is_solved_to_the_reference_optimum(doc):
    result = _solved(doc)

    assert result_problems(doc, result) == []
    _agrees_with(solve_reference(_plain(doc), tight=True)["optimum"], result)


@st.composite
def odd_document(draw):
    """Return a skewed instance with up to three values replaced by any JSON value (or one
    of the ids or numbers that broke the command before) or keys taken out."""
    doc = draw(skewed_instance(people=4, rounds=2, sessions=3))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_places(doc)))
        value = draw(values | st.sampled_from([10**400, "\x1f", "r0", "s100"]))
        doc = _changed(doc, path, value, remove=bool(path) and draw(st.booleans()))
    return doc


@settings(deterministic(150), suppress_health_check=list(HealthCheck))
@given(odd_document(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_assign_on_any_document_writes_a_result_or_one_line_and_exit_2(
    tmp_path, capsys, doc, encoding
):
    source, out = tmp_path / "instance.json", tmp_path / "result.json"
    source.write_bytes(json.dumps(doc).encode(encoding))
    out.unlink(missing_ok=True)
    capsys.readouterr()

    try:
        code = assign([str(source), "--out", str(out)])
    except SystemExit as exit:
        code = exit.code

    errors = capsys.readouterr().err.splitlines()
    if code == 2:
        assert [line for line in errors if line.startswith("goedeburen assign: ")] == errors[-1:]
        assert not out.exists()
    else:
        assert code == 0
        assert result_problems(doc, json.loads(out.read_text(encoding="utf-8"))) == []
