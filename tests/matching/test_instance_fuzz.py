"""Any instance file `goedeburen assign` may be given: read, or refused with the JSON path
that is wrong (`InstanceError`), never another error; what is read is solved and written.

Hypothesis puts any JSON value (huge and fractional numbers, NaN and infinity, which
Python's JSON reader takes, text with NUL and lone surrogates, nested lists and objects)
in any place of a valid instance, or takes a key away; and gives the reader any bytes.
Derandomised and bounded: the same examples in CI, in a few seconds.
"""

import contextlib
import copy
import json

from hypothesis import given
from hypothesis import strategies as st

from goedeburen.matching.solver import parse_instance, solve
from goedeburen.matching.solver.cli import read_json
from goedeburen.matching.solver.instance import InstanceError, ids_as_written
from tests.fuzzing import deterministic

from .test_cli import _valid

SETTINGS = deterministic(250)
VALID = _valid()
ODD = st.sampled_from(
    [10**30, -(10**30), 2**63, 1e308, float("nan"), float("inf"), -0.0, 0.5, 12.0, "12"]
)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | ODD,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _places(document, path=()):
    """Return the path of every value in `document` (itself too)."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _places(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _places(value, (*path, index))
    return found


PLACES = _places(VALID)


def _changed(document, path, value, *, remove: bool):
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


change = st.tuples(st.sampled_from(PLACES), values, st.booleans())


@SETTINGS
@given(changes=st.lists(change, min_size=1, max_size=3))
def test_any_value_anywhere_is_read_and_solved_or_refused_with_its_path(changes):
    document = copy.deepcopy(VALID)
    for path, value, remove in changes:
        try:
            document = _changed(document, path, value, remove=remove)
        except (KeyError, IndexError, TypeError):
            continue  # a place an earlier change took away

    try:
        instance = parse_instance(document)
    except InstanceError as refused:
        assert refused.path
        return
    result = solve(instance, time_limit=5)
    json.dumps(ids_as_written(instance, result.to_json()))


@SETTINGS
@given(raw=st.binary(max_size=60) | st.text(max_size=30).map(lambda t: t.encode("utf-16")))
def test_any_bytes_are_json_or_refused_as_not_json(raw):
    with contextlib.suppress(ValueError):  # "not JSON": the command's exit code 2
        read_json(raw)
