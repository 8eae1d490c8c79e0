"""Acceptance: a browser shows the conference with every fact of its announcement, in Dutch,
and the same in English.

The Dutch facts are copied from the announcement (shared/seed), not from the demo, so a
slip in the demo data fails here. The English texts are the demo's own translation.
"""

import re

import pytest

from goedeburen.events import demo

from .site import LANGUAGES, PAGES, page_path

pytestmark = pytest.mark.e2e

TAGLINE_NL = "Wat werkt in woongebouwen waar verschillende groepen mensen samen wonen?"
THEME_NL = [
    (
        "Gemengd wonen lijkt een oplossing te bieden voor diverse "
        "huisvestingsvraagstukken en voor een zachte landing van ‘kwetsbare’ groepen "
        "bewoners in een wijk. In gemengde woonprojecten (ook wel ‘de Magic Mix’ genoemd)"
        " wonen verschillende ‘typen’ bewoners samen: bijvoorbeeld reguliere huurders met"
        " (ex)dak- en thuislozen, studenten met ouderen, werkende jongeren met "
        "vluchtelingen of juist een waaier aan doelgroepen door elkaar."
    ),
    (
        "In de kern gaat het om mensen die een ‘goede buur’ voor elkaar willen zijn. En "
        "om het creëren van een woonomgeving die mensen, die dat nodig hebben, helpt bij "
        "het maken van een nieuwe start in de samenleving. Dat is waar het bij gemengd "
        "wonen om draait. Maar hoe krijgt dat, ‘goede buren zijn’ in de praktijk vorm? "
        "Gaat dat mengen wel altijd goed? Wat werkt wel en wat juist niet? En welke "
        "impuls geven dit soort projecten aan het creëren van ‘inclusieve’ wijken? Werkt "
        "het mengen alleen in een stedelijke omgeving? Wat hebben betrokken partijen van "
        "elkaar nodig?"
    ),
    (
        "Op diverse plekken in Utrecht en in het land wordt geëxperimenteerd met deze "
        "nieuwe woonvormen. Tijdens de conferentie ‘Goede buren’ op 26 januari 2018 "
        "ontmoet u ‘goede buren’ uit diverse gemengde projecten. Bewoners, professionals "
        "en onderzoekers gaan met u in gesprek over de lessen die er te trekken zijn om "
        "bestaande projecten te versterken en nieuwe mogelijk te maken."
    ),
]
EXPECT_NL = [
    (
        "huiskamergesprekken: kennismaken met bewoners en medewerkers van bijzondere en "
        "inspirerende projecten;"
    ),
    (
        "reflecties op de waarde van gemengd wonen door: Erik Dannenberg (Commissie "
        "Dannenberg), Kees Diepeveen & Paulus Jansen (wethouders Utrecht), Dirk Jan van "
        "der Zeep (voorzitter Raad van Bestuur Portaal), Maarten Davelaar, Aly Gruppen & "
        "Jeroen Knevel (onderzoekers Ontwikkelwerkplaats Gemengd Wonen);"
    ),
    (
        "werksessies: diverse onderzoekers, casushouders, sociaal-ondernemers en bewoners"
        " bieden inzichten uit onderzoek en de praktijk over wat (niet) werkt in gemengd "
        "wonen;"
    ),
    ("korte films: gemengde woonprojecten en hun opbrengsten in beeld gebracht."),
    (
        "discussie over uitdagingen: Wat valt er uit deze projecten te leren voor het "
        "meer inclusief maken van ‘gewone’ buurten? Welke knelpunten rond landelijk "
        "beleid ervaren deze projecten en in bredere zin de beweging van opvang/beschermd"
        " wonen naar ‘beschermd thuis’ in de wijk?"
    ),
]
AUDIENCE_NL = (
    "De conferentie richt zich op: medewerkers en bestuurders van woningcorporaties en "
    "maatschappelijke organisaties (opvang, zorg, welzijn), beleidsmedewerkers en "
    "bestuurders van gemeenten, vertegenwoordigers van landelijke platforms en "
    "expertisecentra, ministeries, en op de bewoners van de gemengd wonen-projecten."
)
PARTNERS = [
    "Portaal",
    "Platform31",
    "Gemeente Utrecht",
    "Ontwikkelwerkplaats gemengd wonen",
    "Kenniscentrum Sociale Innovatie HU",
]
SPEAKERS = {
    "Erik Dannenberg",
    "Kees Diepeveen",
    "Paulus Jansen",
    "Dirk Jan van der Zeep",
    "Maarten Davelaar",
    "Aly Gruppen",
    "Jeroen Knevel",
}
SECRETARIAT = "Secretariaat Meedoen naar Vermogen"
EMAIL = "secretariaatmeedoennaarvermogen@utrecht.nl"
VENUE = "Het Huis van Portaal, Beneluxlaan 9, Utrecht"

HOME = {
    "nl": {
        "name": "Goede buren",
        "tagline": TAGLINE_NL,
        "theme": THEME_NL,
        "expect": EXPECT_NL,
        "audience": AUDIENCE_NL,
        "facts": [
            "Vrijdag 26 januari 2018",
            "10:00 – 16:30 uur",  # as the announcement writes it
            VENUE,
            "Deelname: € 125,00; Bewoner van een gemengd woonproject: gratis"
            " (inclusief lunch, koffie & thee, borrel en publicatie)",
        ],
    },
    "en": {
        "name": "Good neighbours",
        "tagline": demo.TAGLINE_EN,
        "theme": demo.DESCRIPTION_EN.format(date="26 January 2018").split("\n\n"),
        "expect": demo.EXPECTATIONS_EN.splitlines(),
        "audience": demo.AUDIENCE_EN,
        "facts": [
            "Friday 26 January 2018",
            "10:00 – 16:30",
            VENUE,
            "Participation: € 125,00; Resident of a mixed-housing project: free"
            " (including lunch, coffee & tea, drinks and the publication)",
        ],
    },
}

PROGRAMME = {
    "nl": {
        "heading": "Vrijdag 26 januari 2018, Het Huis van Portaal",
        "rounds": [
            ("Huiskamergesprekken, ronde 1", 24),
            ("Huiskamergesprekken, ronde 2", 24),
            ("Werksessies", 8),
        ],
        "film": "Korte film",
        "film_text": "Gemengde woonprojecten en hun opbrengsten in beeld gebracht.",
        "discussion": "Discussie over uitdagingen",
        "discussion_text": EXPECT_NL[4].removeprefix("discussie over uitdagingen: "),
        "lunch": "Lunch",
        "drinks": "Borrel",
    },
    "en": {
        "heading": "Friday 26 January 2018, Het Huis van Portaal",
        "rounds": [
            ("Living-room conversations, round 1", 24),
            ("Living-room conversations, round 2", 24),
            ("Work sessions", 8),
        ],
        "film": "Short film",
        "film_text": "Mixed housing projects and what they bring, on film.",
        "discussion": "Discussion of the challenges",
        "discussion_text": demo.EXPECTATIONS_EN.splitlines()[4].removeprefix(
            "a discussion of the challenges: "
        ),
        "lunch": "Lunch",
        "drinks": "Drinks",
    },
}


def _texts(tab, selector: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip() for text in tab.locator(selector).all_inner_texts()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_shows_every_fact_of_the_announcement(visit, language):
    tab = visit(page_path("event-home", language))
    want = HOME[language]

    partners = tab.evaluate(
        """() => [...document.querySelectorAll('.partner-list__item')].map(item => {
            const logo = item.querySelector('img');
            return [item.innerText.trim(), logo !== null && logo.complete && logo.naturalWidth > 0];
        })"""
    )
    more = _texts(tab, "section[aria-labelledby='more-heading'] p")[-1]

    assert tab.locator("html").get_attribute("lang") == language
    assert _texts(tab, "h1") == [want["name"]]
    assert _texts(tab, ".utrecht-heading-group p") == [want["tagline"]]
    assert _texts(tab, ".key-facts dd") == want["facts"]
    assert _texts(tab, ".utrecht-rich-text p") == want["theme"]
    assert _texts(tab, "section[aria-labelledby='expect-heading'] li") == want["expect"]
    assert _texts(tab, "section[aria-labelledby='audience-heading'] p") == [want["audience"]]
    assert partners == [[name, True] for name in PARTNERS]
    assert SECRETARIAT in more
    assert more.endswith(EMAIL)
    assert tab.locator(f"main a[href='mailto:{EMAIL}']").inner_text() == EMAIL


@pytest.mark.parametrize("language", LANGUAGES)
def test_programme_shows_every_element_of_the_announcement(visit, language):
    tab = visit(page_path("programme", language))
    want = PROGRAMME[language]
    slots = ".timetable__slot--{} > .timetable__body > h2".format

    rounds = [
        (title, tab.locator(".timetable__slot--round").nth(i).locator("h3").count())
        for i, title in enumerate(_texts(tab, slots("round")))
    ]
    reflection_speakers = _texts(tab, ".timetable__slot--reflection a")
    films = _texts(tab, slots("film"))
    film_texts = [
        slot.locator(".timetable__body > p:not(.session-meta)").first.inner_text()
        for slot in tab.locator(".timetable__slot--film").all()
    ]
    all_slots = _texts(tab, ".timetable__body > h2")
    discussion = _texts(tab, ".timetable__slot--discussion .timetable__body > p")[-1]

    assert tab.locator("html").get_attribute("lang") == language
    assert _texts(tab, ".site-name") == [HOME[language]["name"]]
    assert _texts(tab, "main h1 + p") == [want["heading"]]
    assert rounds == want["rounds"]
    assert set(reflection_speakers) == SPEAKERS
    assert len(reflection_speakers) == len(SPEAKERS)
    assert [film.startswith(want["film"]) for film in films] == [True, True]
    assert film_texts == [want["film_text"]] * 2
    assert all_slots[-2:] == [want["discussion"], want["drinks"]]
    assert discussion == want["discussion_text"]
    assert _texts(tab, slots("lunch")) == [want["lunch"]]


# The switch names the other language in that language.
SWITCH_TO = {"nl": "English", "en": "Nederlands"}


@pytest.mark.parametrize("page", PAGES)
def test_language_switch_leads_to_the_same_page_in_the_other_language(visit, page):
    tab = visit(page_path(page, "nl"), viewport="360px")

    landed = []
    for language in ("nl", "en"):
        link = tab.get_by_role("navigation").get_by_role(
            "link", name=SWITCH_TO[language], exact=True
        )
        marked = (link.get_attribute("lang"), link.get_attribute("hreflang"))
        link.click()
        tab.wait_for_load_state()
        landed.append(
            (
                marked,
                tab.evaluate("() => location.pathname"),
                tab.locator("html").get_attribute("lang"),
            )
        )

    assert landed == [
        (("en", "en"), page_path(page, "en"), "en"),
        (("nl", "nl"), page_path(page, "nl"), "nl"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_shows_the_same_without_javascript(visit, page, language):
    path = page_path(page, language)
    with_js = visit(path)
    without_js = visit(path, javascript=False)

    def content(tab):
        return {part: tab.locator(part).inner_text() for part in ("header", "main", "footer")}

    assert content(without_js) == content(with_js)
    assert without_js.locator("main h1").is_visible()


def test_dutch_home_page_uses_the_announcements_own_headings(visit):
    tab = visit(page_path("event-home", "nl"))

    headings = _texts(tab, "main h2")
    labels = _texts(tab, ".key-facts dt")

    assert headings == [
        "Datum, tijd, locatie",
        "Wat mag u verwachten?",
        "Voor wie",
        "Meer informatie",
    ]
    assert labels[:3] == ["Datum", "Tijd", "Locatie"]
