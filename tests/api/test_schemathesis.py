"""Property-based checks of the whole API against its own OpenAPI document (schemathesis).

Stateless: every operation with generated parameters and bodies. Stateful: sequences of
calls that follow the links schemathesis infers (a created registration, then reading it).
With a token of every scope and each scope alone (`_Callers`): never a 500, and every
answer matches the document.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from goedeburen.api.scopes import SCOPES

from .conftest import make_token

# A well-formed registration may still be refused by the domain (sold out, closed: 422);
# that is a business rule, not a fault of the document.
# The token is ours, not generated: `ignored_auth` would take it for made-up credentials
# (tests/api/test_access.py and test_tokens.py prove that bad tokens are refused).
EXCLUDED = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.ignored_auth]
SETTINGS = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _load():
    from goedeburen.wsgi import application

    # The document is read through the app itself, as a client would (no database needed).
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    # Our token is put on every call (`_headers`), so made-up or missing credentials are
    # not generated (tests/api/test_access.py and test_tokens.py refuse bad ones); a query
    # parameter the document does not name is ignored, as in any REST API, not an error.
    loaded.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
    return loaded


schema = _load()


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction(db):
    """As Django's test client does: the test's transaction must outlive each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _aim(case, world) -> None:
    """Point generated path parameters at the world's real objects half of the time."""
    parameters = case.path_parameters or {}
    if "event" in parameters:
        parameters["event"] = world.event.slug
    if "organiser" in parameters:
        parameters["organiser"] = world.organiser.slug
    if "code" in parameters:
        parameters["code"] = world.registration.code
    if "attendee" in parameters:
        parameters["attendee"] = world.attendee.pk


def _headers(token: str) -> dict[str, str]:
    # Responses are gzipped for a client that asks (GZipMiddleware); schemathesis's WSGI
    # transport asks but does not unpack, as every HTTP client does. Plain bodies here.
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


class _Callers:
    """Which tokens call each case of one operation.

    Every case is called with the token of every scope, and with each single-scope token
    that the operation has not refused (403) yet: the first case with all of them. A token
    the operation refused calls one later case in turn with the others it refused: each
    would go through the same refusal on every case, 11 calls a case where 3 show the same.
    """

    def __init__(self, tokens: dict[str, str]):
        self.every = tokens["all"]
        self.scoped = {scope: token for scope, token in tokens.items() if scope != "all"}
        self.refused: list[str] = []
        self.turn = 0

    def for_next_case(self) -> list[tuple[str, str]]:
        callers = [("all", self.every)]
        callers += [(scope, t) for scope, t in self.scoped.items() if scope not in self.refused]
        if self.refused:
            scope = self.refused[self.turn % len(self.refused)]
            callers.append((scope, self.scoped[scope]))
            self.turn += 1
        return callers

    def answered(self, scope: str, status: int) -> None:
        if status == 403 and scope != "all" and scope not in self.refused:
            self.refused.append(scope)


@pytest.fixture
def tokens(world) -> dict[str, str]:
    """A token with every scope, and one with each scope alone."""
    found = {"all": make_token(world)}
    found.update({scope: make_token(world, scopes=[scope]) for scope in sorted(SCOPES)})
    return found


@pytest.fixture
def callers(tokens) -> _Callers:
    # One per operation: hypothesis calls the test once for each case with these fixtures.
    return _Callers(tokens)


@schema.parametrize()
@SETTINGS
def test_every_operation_answers_by_its_document(case, world, callers):
    _aim(case, world)

    for scope, token in callers.for_next_case():
        response = case.call_and_validate(headers=_headers(token), excluded_checks=EXCLUDED)
        callers.answered(scope, response.status_code)


def test_each_scope_calls_cases_of_an_operation_that_refuses_it():
    callers = _Callers({"all": "every scope", **{scope: scope for scope in sorted(SCOPES)}})
    first = callers.for_next_case()
    for scope, _ in first:
        callers.answered(scope, 200 if scope in ("all", "events:read") else 403)

    later = [[scope for scope, _ in callers.for_next_case()] for _ in range(2 * len(SCOPES))]

    assert [scope for scope, _ in first] == ["all", *sorted(SCOPES)]
    assert {len(scopes) for scopes in later} == {3}
    assert {scopes[2] for scopes in later} == set(SCOPES) - {"events:read"}
    assert all(scopes[:2] == ["all", "events:read"] for scopes in later)


def test_call_sequences_answer_by_the_document(world):
    token = make_token(world)

    class Machine(schema.as_state_machine()):
        def before_call(self, case):
            _aim(case, world)
            case.headers = {**(case.headers or {}), **_headers(token)}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, excluded_checks=EXCLUDED)

    Machine.run(settings=settings(SETTINGS, max_examples=15, stateful_step_count=4))
