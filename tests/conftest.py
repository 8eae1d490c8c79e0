import pytest
from django.db import connection

# The real SMTP server fixture (`smtp`), for the mail tests and any screen that sends mail.
pytest_plugins = ["tests.smtp"]


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"goedeburen: database backend {engine}"


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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

    cache.clear()
    yield
    cache.clear()


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
