import pytest
from django.db import connection

# The real SMTP server fixture (`smtp`), for the mail tests and any screen that sends mail.
pytest_plugins = ["tests.smtp"]


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"goedeburen: database backend {engine}"


@pytest.fixture
def client():
    """Django's test client whose `force_login` also gives the second factor (tests/clients.py)."""
    from tests.clients import StaffClient

    return StaffClient()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROTECTED_ROOT = tmp_path / "protected"


@pytest.fixture(autouse=True)
def _dutch_first():
    """Start every test in the default language; a request to /en/ leaves English active."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    from goedeburen.common.tasks import forget_sweeps
    from goedeburen.events.queries import forget_cached_events
    from goedeburen.payments.queries import forget_payment_setups
    from goedeburen.registration.queries import forget_booking_data

    def forget():
        cache.clear()
        forget_booking_data()
        forget_cached_events()
        forget_payment_setups()
        forget_sweeps()  # their task rows roll back with each test

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _warm_content_types(request):
    """Fill Django's content type cache before a database test, as a running site has it.

    The audit log looks up a content type per model on first use; without this a query
    count would depend on whether an earlier test in the process had done so.
    """
    if "db" not in request.fixturenames or "transactional_db" in request.fixturenames:
        yield
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    request.getfixturevalue("db")
    ContentType.objects.get_for_models(*apps.get_models())
    yield


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def demo_event(db):
    """The Goede buren conference as `goedeburen demo` loads it (real date)."""
    from goedeburen.events.demo import load_demo

    event, _ = load_demo()
    return event


@pytest.fixture
def english():
    """Run the test in English, for assertions on exact English messages."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once (after the commit), as if a worker were always there.

    The immediate backend cannot defer: a retry then waits for the sweep (`enqueue_due`).
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def billing_defaults() -> dict:
    """Billing values `register` uses unless told otherwise; a directory may override it."""
    return {}


@pytest.fixture
def register(request, db, billing_defaults):
    """Register through the service with sensible defaults; keywords override them.

    `register(ticket_a, ticket_b)` books one attendee per ticket type given; without
    ticket types, one attendee on the directory's `ticket` fixture. `attendees` is a list
    of `AttendeeDetails` or a number of attendees (named Ada0, Ada1 …); without either and
    without a `ticket` fixture, none (to test the refusal); `name` and `email`
    are the booker's; other keywords are billing fields (`po_number=…`) unless they are
    arguments of `services.register` (`booker`, `billing`, `form_token`, `language`, `event`).
    """
    from goedeburen.registration import services
    from tests import factories

    def _register(
        *tickets,
        event=None,
        attendees=None,
        ticket_type=None,
        name=None,
        email=None,
        booker=None,
        billing=None,
        form_token=None,
        language="nl",
        **billing_values,
    ):
        event = event or request.getfixturevalue("event")
        if ticket_type is not None:
            tickets = (ticket_type,)
        if not tickets and not isinstance(attendees, list):
            try:
                tickets = (request.getfixturevalue("ticket"),)
            except pytest.FixtureLookupError:  # a directory without a default ticket
                tickets = ()
        if isinstance(attendees, int):
            attendees = [
                factories.attendee(tickets[0], given_name=f"Ada{n}") for n in range(attendees)
            ]
        elif attendees is None:
            attendees = [factories.attendee(ticket) for ticket in tickets]
        booker_values = {"name": name, "email": email}
        return services.register(
            event,
            booker=booker
            or factories.booker(**{k: v for k, v in booker_values.items() if v is not None}),
            attendees=attendees,
            billing=billing or factories.billing(**{**billing_defaults, **billing_values}),
            form_token=factories.form_token(event) if form_token is None else form_token,
            language=language,
        )

    return _register
