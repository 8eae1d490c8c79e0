"""Browser tests: one Chromium per test process, the demo conference on a live server.

The demo is loaded once for this package and one live server serves it to all its tests,
instead of loading it again for each of the many parametrized checks. That data is
committed, not rolled back: pytest tears the package fixture down (and with it deletes the
data) before the process runs any test outside this package. Under pytest-xdist every
worker has its own test database, live server and browser, so the e2e tests need no
`xdist_group` and spread over the workers like any other test.
"""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.test.utils import override_settings

from .site import VIEWPORTS

CHROMIUM = "/usr/bin/chromium"  # Debian's package
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, driven by Playwright; never a downloaded browser.

    Scoped to this package, not the session, so that no other test runs inside Playwright:
    while it runs, Django must allow synchronous database calls in an event loop, and this
    thread has a separate set of database connections (Django keeps them per context, and
    Playwright's greenlet has its own), which are closed here before Playwright stops.
    """
    from playwright.sync_api import sync_playwright

    allow_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            # Left open, one would keep the test database from being dropped at the end.
            connections.close_all()
    finally:
        if allow_async_unsafe is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allow_async_unsafe


@dataclass(frozen=True)
class Site:
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path


def _no_static_handler(app):
    # WhiteNoise serves static files, as in production (from the finders in tests), rather
    # than the live server's own handler: the CSS the browser gets is what a visitor gets.
    return app


class _OneRequestPerConnection(QuietWSGIRequestHandler):
    # No keep-alive: each request then ends its connection and the server closes that
    # thread's database connection. A browser's idle kept-alive connection would otherwise
    # hold a database session open, and the test database could not be dropped.
    protocol_version = "HTTP/1.0"


class _LiveServer(LiveServerThread):
    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            _OneRequestPerConnection,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Goede buren demo (real date) on a live server, for the tests of this package."""
    from goedeburen.events.demo import load_demo

    media = tmp_path_factory.mktemp("e2e-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        load_demo()
        server = _LiveServer("127.0.0.1", _no_static_handler)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        try:
            if server.error:
                raise server.error
            yield Site(base_url=f"http://127.0.0.1:{server.port}")
        finally:
            server.terminate()
            call_command("flush", interactive=False, verbosity=0)


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":

    @pytest.fixture
    def db(django_db_setup, django_db_blocker):
        """On SQLite, a test's database access without the transaction around the test.

        Elsewhere `db` wraps each test in a transaction, rolled back at its end. SQLite's
        transactions here take the write lock when they begin (`transaction_mode`
        IMMEDIATE), so the live server, on its own connection, could write nothing (a
        sign-in saves a session) until the test ended: it waited, then failed "database is
        locked"; so did every browser test that registers, pays or saves through it. What
        such a test writes is kept until the package's data is deleted.
        """
        with django_db_blocker.unblock():
            yield


@pytest.fixture(autouse=True)
def _isolated_media():
    """Leave MEDIA_ROOT as `site` set it: the live server serves the demo's logos from there."""


@pytest.fixture(scope="package")
def _tabs(browser):
    """One tab per viewport and JavaScript on/off, made when first asked for and then reused
    (a new tab costs about as much as a page view). Each collects its console errors."""
    tabs = {}

    def tab(viewport: str, javascript: bool):
        key = (viewport, javascript)
        if key not in tabs:
            # Reduced motion: the Utrecht theme scrolls smoothly otherwise, and a test that
            # reads positions after a keypress would have to wait for each animation.
            context = browser.new_context(
                viewport=VIEWPORTS[viewport],
                java_script_enabled=javascript,
                reduced_motion="reduce",
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            tabs[key] = (page, problems)
        return tabs[key]

    yield tab
    for page, _ in tabs.values():
        page.context.close()


@pytest.fixture
def visit(site, _tabs, db):
    """Open a path of the live site and return the tab (a Playwright Page) showing it.

    (`db` only makes pytest-django create the test database that the live server uses.)

    Fails on an HTTP error and on any console error: a blocked inline script or style (CSP),
    a stylesheet or image that does not load, a script error.
    """

    def visit(path: str, *, viewport: str = "1280px", javascript: bool = True):
        tab, problems = _tabs(viewport, javascript)
        problems.clear()
        response = tab.goto(site.url(path))
        assert response is not None
        assert (path, response.status) == (path, 200)
        assert problems == [], "\n".join(problems)
        return tab

    return visit
