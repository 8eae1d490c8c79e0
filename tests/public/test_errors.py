"""Bad addresses: control characters answer 400 on every URL pattern, never 500; the error
pages are the site's own, in its language, and a participant's dead link offers a new one."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

_CONVERTER = re.compile(r"<[^>]+>")
_REGEX_PART = re.compile(r"\(\?P<[^>]+>[^)]*\)|\([^)]*\)")


def _prefix(pattern, language) -> str:
    if isinstance(pattern, LocalePrefixPattern):
        return "" if language == "nl" else f"{language}/"
    if isinstance(pattern, RoutePattern):
        return _CONVERTER.sub("%00", str(pattern))
    if isinstance(pattern, RegexPattern):
        text = _REGEX_PART.sub("%00", str(pattern)).lstrip("^").rstrip("$").replace("\\", "")
        return text.replace("\\Z", "")
    raise AssertionError(pattern)


def _every_url(resolver=None, prefix="", language="nl"):
    for entry in (resolver or get_resolver()).url_patterns:
        part = prefix + _prefix(entry.pattern, language)
        if isinstance(entry, URLResolver):
            yield from _every_url(entry, part, language)
        elif isinstance(entry, URLPattern):
            yield "/" + part


def _with_nul(url: str) -> str:
    # A pattern without a parameter gets the NUL byte added as a last part.
    return url if "%00" in url else url.rstrip("/") + "/%00/"


EVERY_URL = sorted({_with_nul(u) for lang in ("nl", "en") for u in _every_url(language=lang)})


def test_every_pattern_is_listed():
    assert len(EVERY_URL) > 100
    assert "/%00/register/manage/%00/%00/invoices/%00/" in EVERY_URL


def test_a_nul_byte_in_any_url_answers_400_or_404(client):
    answers = {
        (method, url): getattr(client, method)(url).status_code
        for url in EVERY_URL
        for method in ("get", "post")
    }
    # The API asks for its token first (401); with a token it is tried below.
    assert {
        key: status
        for key, status in answers.items()
        if status not in (400, 404) and not (key[1].startswith("/api/") and status == 401)
    } == {}


def test_a_nul_byte_in_any_api_url_with_a_token_never_answers_500(client):
    from tests.api.conftest import make_token, make_world

    world = make_world()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {make_token(world)}"}
    answers = {
        (method, url): getattr(client, method)(url, **headers).status_code
        for url in EVERY_URL
        if url.startswith("/api/")
        for method in ("get", "post")
    }
    assert answers
    assert {key: status for key, status in answers.items() if status >= 500} == {}


def test_a_nul_byte_in_a_query_string_answers_400(client):
    event = EventFactory()
    response = client.get(reverse("public:event.home", args=[event.slug]) + "?q=%00")
    assert response.status_code == 400
    assert "Dit adres klopt niet" in response.content.decode()


def test_a_dead_participant_link_offers_the_link_page_in_the_sites_look(client):
    event = EventFactory()
    url = reverse("public:registration.manage", args=[event.slug, "ABCDEFGH", "wrong"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Wij kunnen deze pagina niet vinden" in html
    assert 'class="utrecht-theme' in html
    assert reverse("public:registration.link", args=[event.slug]) in html


def test_the_404_page_speaks_english_under_en(client):
    with translation.override("en"):
        url = reverse("public:event.home", args=["no-such-event"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert "We cannot find this page" in html
    assert 'lang="en"' in html
    # No event of that name: no link page to offer.
    assert "/register/link/" not in html


def test_the_500_page_is_the_sites_own(rf):
    from goedeburen.public.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Er ging iets mis bij ons" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/goede-buren/contact/", "/en/goede-buren/contact/", "/backoffice/login/"]
)
def test_a_form_without_its_csrf_token_gets_the_sites_own_403_page(path):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    english = path.startswith("/en/")

    response = browser.post(path, {"name": "Bea"})

    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="utrecht-theme' in html
    assert (
        "We could not check that this form came from our site"
        if english
        else "We konden niet nagaan of dit formulier van onze site kwam"
    ) in html


@pytest.mark.parametrize("name", ["registration.mail", "registration.pay"])
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nl", "Dit adres hoort bij een knop op een andere pagina"),
        ("en", "This address belongs to a button on another page"),
    ],
)
def test_opening_a_buttons_address_gets_the_sites_own_405_page(client, name, language, said):
    from goedeburen.registration import tokens
    from tests.factories import RegistrationFactory

    token, hashed = tokens.new_manage_token()
    registration = RegistrationFactory(manage_token_hash=hashed)
    with translation.override(language):
        url = reverse(f"public:{name}", args=[registration.event.slug, registration.code, token])

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"].startswith("POST")
    assert 'class="utrecht-theme' in html
    assert said in html
