"""What every public page says in its <head>: a description of its own in the page's
language, the favicon and the one small stylesheet (tests/test_styles.py checks its content);
and how it travels: compressed to a browser that asks."""

import gzip
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_event(db):
    """The demo conference with registration open (`goedeburen demo --upcoming`)."""
    from goedeburen.events.demo import load_demo

    event, _ = load_demo(upcoming=True)
    return event


# Each public page a visitor can land on from a search engine or a shared link.
PAGES = [
    ("public:accessibility", None),
    ("public:event.home", "event"),
    ("public:event.programme", "event"),
    ("public:speaker.list", "event"),
    ("public:speaker.detail", "speaker"),
    ("public:project.list", "event"),
    ("public:project.detail", "project"),
    ("public:event.practical", "event"),
    ("public:event.contact", "event"),
    ("public:event.privacy", "event"),
    ("public:registration.start", "event"),
]


def _args(kind, event):
    if kind == "event":
        return [event.slug]
    if kind == "speaker":
        return [event.slug, event.speakers.order_by("pk").first().slug]
    if kind == "project":
        return [event.slug, event.projects.order_by("pk").first().slug]
    return []


def _head(client, name, args, language):
    with translation.override(language):
        path = reverse(name, args=args)
    response = client.get(path)
    assert (path, response.status_code) == (path, 200)
    return response.content.decode().partition("</head>")[0]


def _descriptions(head):
    return re.findall(r'<meta name="description" content="([^"]*)">', head)


def test_each_public_page_describes_itself_in_its_language(client, open_event):
    found = {}
    for language in ("nl", "en"):
        for name, kind in PAGES:
            descriptions = _descriptions(_head(client, name, _args(kind, open_event), language))
            assert len(descriptions) == 1, (name, language, descriptions)
            found[name, language] = descriptions[0]

    # No page borrows another's description, and each reads in the page's own language.
    assert len(set(found.values())) == len(found)
    dates = {}
    for language in ("nl", "en"):
        with translation.override(language):
            dates[language] = date_format(open_event.date, "j F Y")
    assert found["public:event.programme", "nl"] == (
        f"Het programma van Goede buren op {dates['nl']}: tijden, rondes en sessies op een rij."
    )
    assert found["public:event.programme", "en"] == (
        f"The programme of Good neighbours on {dates['en']}: times, rounds and sessions at "
        "a glance."
    )
    assert found["public:registration.start", "en"] == (
        f"Sign up for Good neighbours on {dates['en']}. Choose a ticket and say who is coming."
    )
    assert found["public:event.home", "nl"].startswith(f"Goede buren op {dates['nl']} in Utrecht.")


def test_the_closed_registration_page_says_so_in_its_description(client, demo_event):
    # The demo at its real date, long past: registration is closed.
    head = _head(client, "public:registration.start", [demo_event.slug], "en")

    assert _descriptions(head) == ["Registration for Good neighbours is not open at the moment."]


def test_a_description_escapes_what_organisers_typed(client, demo_event):
    demo_event.tagline_nl = 'Samen "wonen" <b>&</b> leven'
    demo_event.save()

    head = _head(client, "public:event.home", [demo_event.slug], "nl")

    assert _descriptions(head)[0].endswith(
        " Samen &quot;wonen&quot; &lt;b&gt;&amp;&lt;/b&gt; leven"
    )


@pytest.mark.parametrize(("name", "kind"), [*PAGES, ("public:registration.link", "event")])
def test_each_public_page_links_the_favicon_and_one_stylesheet(client, open_event, name, kind):
    head = _head(client, name, _args(kind, open_event), "nl")

    icons = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', head)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', head)

    assert icons == ["/static/goedeburen/favicon.svg"]
    assert sheets[0] == "/static/goedeburen/styles.css"
    assert not any("/vendor/" in sheet for sheet in sheets)


def test_the_not_found_page_links_the_favicon(client, db):
    response = client.get("/no-such-event/")

    assert response.status_code == 404
    assert '<link rel="icon" href="/static/goedeburen/favicon.svg"' in response.content.decode()


def test_a_page_goes_out_compressed_to_a_browser_that_asks(client, open_event):
    path = reverse("public:event.programme", args=[open_event.slug])
    plain = client.get(path)

    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")

    assert (plain.status_code, packed.status_code) == (200, 200)
    assert (plain.get("Content-Encoding"), packed["Content-Encoding"]) == (None, "gzip")
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
