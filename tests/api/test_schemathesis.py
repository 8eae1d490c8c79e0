"""Property-based checks of the whole API against its own OpenAPI document (schemathesis).

Stateless: every operation with generated parameters and bodies. Stateful: sequences of
calls that follow the links schemathesis infers (a created registration, then reading it).
With a token of each scope: never a 500, and every answer matches the document.
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


@pytest.fixture
def tokens(world) -> dict[str, str]:
    """A token with every scope, and one with each scope alone."""
    found = {"all": make_token(world)}
    found.update({scope: make_token(world, scopes=[scope]) for scope in sorted(SCOPES)})
    return found


@schema.parametrize()
@SETTINGS
def test_every_operation_answers_by_its_document(case, world, tokens):
    _aim(case, world)

    for token in tokens.values():
        case.call_and_validate(headers=_headers(token), excluded_checks=EXCLUDED)


def test_call_sequences_answer_by_the_document(world):
    token = make_token(world)

    class Machine(schema.as_state_machine()):
        def before_call(self, case):
            _aim(case, world)
            case.headers = {**(case.headers or {}), **_headers(token)}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, excluded_checks=EXCLUDED)

    Machine.run(settings=settings(SETTINGS, max_examples=15, stateful_step_count=4))
