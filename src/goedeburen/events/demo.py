"""The built-in demo: the conference *Goede buren* from its announcement (shared/seed).

Every fact of the announcement is here as it was published: the title and theme text,
"wat mag u verwachten", "voor wie", the date, 10:00–16:30, Het Huis van Portaal at
Beneluxlaan 9 in Utrecht, €125 and what it includes, the five co-organisers, the
secretariat and its address, and the named speakers.

ILLUSTRATIVE: the announcement gives no room names, exact times, session titles, project
names or venue details. Everything marked "illustrative" below was invented to make a full,
plausible programme (two rounds of 24 living-room conversations of 11 seats, eight work
sessions, two film blocks); the projects are fictional.

Loading is idempotent: a row is only written when its values differ from what is stored.
"""

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit

from . import tasks
from .models import (
    Event,
    EventStatus,
    ItemKind,
    Organiser,
    Partner,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    SessionKind,
    Speaker,
    Venue,
)
from .signals import demo_loaded

SLUG = "goede-buren"
REAL_DATE = dt.date(2018, 1, 26)

NAME_NL = "Goede buren"
NAME_EN = "Good neighbours"
TAGLINE_NL = "Wat werkt in woongebouwen waar verschillende groepen mensen samen wonen?"
TAGLINE_EN = "What works in buildings where different groups of people live together?"

DESCRIPTION_NL = """\
Gemengd wonen lijkt een oplossing te bieden voor diverse huisvestingsvraagstukken en voor een zachte landing van ‘kwetsbare’ groepen bewoners in een wijk. In gemengde woonprojecten (ook wel ‘de Magic Mix’ genoemd) wonen verschillende ‘typen’ bewoners samen: bijvoorbeeld reguliere huurders met (ex)dak- en thuislozen, studenten met ouderen, werkende jongeren met vluchtelingen of juist een waaier aan doelgroepen door elkaar.

In de kern gaat het om mensen die een ‘goede buur’ voor elkaar willen zijn. En om het creëren van een woonomgeving die mensen, die dat nodig hebben, helpt bij het maken van een nieuwe start in de samenleving. Dat is waar het bij gemengd wonen om draait. Maar hoe krijgt dat, ‘goede buren zijn’ in de praktijk vorm? Gaat dat mengen wel altijd goed? Wat werkt wel en wat juist niet? En welke impuls geven dit soort projecten aan het creëren van ‘inclusieve’ wijken? Werkt het mengen alleen in een stedelijke omgeving? Wat hebben betrokken partijen van elkaar nodig?

Op diverse plekken in Utrecht en in het land wordt geëxperimenteerd met deze nieuwe woonvormen. Tijdens de conferentie ‘Goede buren’ op 26 januari 2018 ontmoet u ‘goede buren’ uit diverse gemengde projecten. Bewoners, professionals en onderzoekers gaan met u in gesprek over de lessen die er te trekken zijn om bestaande projecten te versterken en nieuwe mogelijk te maken."""

DESCRIPTION_EN = """\
Mixed housing seems to offer an answer to various housing questions and a soft landing for ‘vulnerable’ groups of residents in a neighbourhood. In mixed housing projects (also called ‘the Magic Mix’) different ‘types’ of residents live together: for example regular tenants with (formerly) homeless people, students with elderly people, young workers with refugees, or a whole range of groups mixed together.

At its core it is about people who want to be a ‘good neighbour’ to each other, and about creating a living environment that helps people who need it to make a new start in society. That is what mixed housing is about. But how does ‘being good neighbours’ take shape in practice? Does mixing always go well? What works and what does not? What impulse do such projects give to creating ‘inclusive’ neighbourhoods? Does mixing only work in an urban setting? What do the parties involved need from each other?

In various places in Utrecht and across the country people are experimenting with these new forms of housing. At the conference ‘Good neighbours’ on 26 January 2018 you will meet ‘good neighbours’ from various mixed projects. Residents, professionals and researchers will talk with you about the lessons to be learned to strengthen existing projects and make new ones possible."""

EXPECTATIONS_NL = """\
huiskamergesprekken: kennismaken met bewoners en medewerkers van bijzondere en inspirerende projecten;
reflecties op de waarde van gemengd wonen door: Erik Dannenberg (Commissie Dannenberg), Kees Diepeveen & Paulus Jansen (wethouders Utrecht), Dirk Jan van der Zeep (voorzitter Raad van Bestuur Portaal), Maarten Davelaar, Aly Gruppen & Jeroen Knevel (onderzoekers Ontwikkelwerkplaats Gemengd Wonen);
werksessies: diverse onderzoekers, casushouders, sociaal-ondernemers en bewoners bieden inzichten uit onderzoek en de praktijk over wat (niet) werkt in gemengd wonen;
korte films: gemengde woonprojecten en hun opbrengsten in beeld gebracht.
discussie over uitdagingen: Wat valt er uit deze projecten te leren voor het meer inclusief maken van ‘gewone’ buurten? Welke knelpunten rond landelijk beleid ervaren deze projecten en in bredere zin de beweging van opvang/beschermd wonen naar ‘beschermd thuis’ in de wijk?"""

EXPECTATIONS_EN = """\
living-room conversations: meet residents and staff of special and inspiring projects;
reflections on the value of mixed housing by: Erik Dannenberg (Dannenberg Committee), Kees Diepeveen & Paulus Jansen (aldermen of Utrecht), Dirk Jan van der Zeep (chair of the Executive Board of Portaal), Maarten Davelaar, Aly Gruppen & Jeroen Knevel (researchers, Ontwikkelwerkplaats Gemengd Wonen);
work sessions: researchers, case holders, social entrepreneurs and residents share insights from research and practice on what does (not) work in mixed housing;
short films: mixed housing projects and what they bring, on film;
a discussion of the challenges: What can these projects teach us about making ‘ordinary’ neighbourhoods more inclusive? Which bottlenecks in national policy do these projects experience, and more broadly the move from shelter and sheltered housing to ‘sheltered at home’ in the neighbourhood?"""

AUDIENCE_NL = (
    "De conferentie richt zich op: medewerkers en bestuurders van woningcorporaties en "
    "maatschappelijke organisaties (opvang, zorg, welzijn), beleidsmedewerkers en bestuurders "
    "van gemeenten, vertegenwoordigers van landelijke platforms en expertisecentra, "
    "ministeries, en op de bewoners van de gemengd wonen-projecten."
)
AUDIENCE_EN = (
    "The conference is meant for: staff and directors of housing corporations and social "
    "organisations (shelter, care, welfare), policy officers and administrators of "
    "municipalities, representatives of national platforms and centres of expertise, "
    "ministries, and the residents of the mixed housing projects."
)

# The name without an article: it stands in Dutch and English sentences alike.
CONTACT_NAME = "Secretariaat Meedoen naar Vermogen"
CONTACT_EMAIL = "secretariaatmeedoennaarvermogen@utrecht.nl"

PARTNERS = [
    ("Portaal", "https://www.portaal.nl/", "#c8102e"),
    ("Platform31", "https://www.platform31.nl/", "#1d4f91"),
    ("Gemeente Utrecht", "https://www.utrecht.nl/", "#b70000"),
    ("Ontwikkelwerkplaats gemengd wonen", "", "#2e6b30"),
    ("Kenniscentrum Sociale Innovatie HU", "https://www.hu.nl/", "#5b2a86"),
]

# (slug, name, affiliation nl, affiliation en) — as named in the announcement.
SPEAKERS = [
    ("erik-dannenberg", "Erik Dannenberg", "Commissie Dannenberg", "Dannenberg Committee"),
    ("kees-diepeveen", "Kees Diepeveen", "Wethouder Utrecht", "Alderman of Utrecht"),
    ("paulus-jansen", "Paulus Jansen", "Wethouder Utrecht", "Alderman of Utrecht"),
    (
        "dirk-jan-van-der-zeep",
        "Dirk Jan van der Zeep",
        "Voorzitter Raad van Bestuur Portaal",
        "Chair of the Executive Board of Portaal",
    ),
    (
        "maarten-davelaar",
        "Maarten Davelaar",
        "Onderzoeker Ontwikkelwerkplaats Gemengd Wonen",
        "Researcher, Ontwikkelwerkplaats Gemengd Wonen",
    ),
    (
        "aly-gruppen",
        "Aly Gruppen",
        "Onderzoeker Ontwikkelwerkplaats Gemengd Wonen",
        "Researcher, Ontwikkelwerkplaats Gemengd Wonen",
    ),
    (
        "jeroen-knevel",
        "Jeroen Knevel",
        "Onderzoeker Ontwikkelwerkplaats Gemengd Wonen",
        "Researcher, Ontwikkelwerkplaats Gemengd Wonen",
    ),
]

# ILLUSTRATIVE: fictional mixed-housing projects, one per living room, each hosting in
# both rounds. (slug, name, place, who live there nl, who live there en)
_MIXES = {
    "homeless": (
        "reguliere huurders en (ex-)dak- en thuislozen",
        "regular tenants and (formerly) homeless people",
    ),
    "students": ("studenten en ouderen", "students and elderly people"),
    "refugees": ("werkende jongeren en vluchtelingen", "young workers and refugees"),
    "range": (
        "een waaier aan doelgroepen: starters, gezinnen, ouderen en mensen uit beschermd wonen",
        "a range of groups: starters, families, elderly people and people from sheltered housing",
    ),
    "care": (
        "huurders met en zonder zorgvraag (GGZ, verstandelijke beperking)",
        "tenants with and without care needs (mental health, learning disability)",
    ),
}
PROJECTS = [
    ("de-buurtboog", "De Buurtboog", "Utrecht", "homeless"),
    ("huize-samen", "Huize Samen", "Utrecht", "students"),
    ("startblok-west", "Startblok West", "Utrecht", "refugees"),
    ("het-knooppunt", "Het Knooppunt", "Utrecht", "range"),
    ("de-binnenplaats", "De Binnenplaats", "Utrecht", "care"),
    ("hof-van-morgen", "Hof van Morgen", "Amersfoort", "students"),
    ("de-werf", "De Werf", "Amsterdam", "refugees"),
    ("nieuw-nabuurschap", "Nieuw Nabuurschap", "Amsterdam", "homeless"),
    ("de-kade", "De Kade", "Rotterdam", "range"),
    ("samen-op-zuid", "Samen op Zuid", "Rotterdam", "refugees"),
    ("het-erf", "Het Erf", "Den Haag", "care"),
    ("de-groene-gang", "De Groene Gang", "Groningen", "students"),
    ("buurtschap-noord", "Buurtschap Noord", "Zwolle", "homeless"),
    ("de-lindeboom", "De Lindeboom", "Nijmegen", "range"),
    ("het-trefpunt", "Het Trefpunt", "Arnhem", "refugees"),
    ("stadsboerderij-de-kern", "Stadsboerderij De Kern", "Eindhoven", "care"),
    ("de-oude-school", "De Oude School", "Culemborg", "range"),
    ("het-wooneiland", "Het Wooneiland", "Leeuwarden", "students"),
    ("de-hoeksteen", "De Hoeksteen", "Deventer", "homeless"),
    ("de-brug", "De Brug", "Tilburg", "refugees"),
    ("het-anker", "Het Anker", "Haarlem", "care"),
    ("de-molenhoek", "De Molenhoek", "Winterswijk", "range"),
    ("het-plein", "Het Plein", "Leiden", "students"),
    ("de-zon", "De Zon", "Veenendaal", "homeless"),
]

# ILLUSTRATIVE: rooms and times of the day.
VENUE_ROUTE_NL = (
    "Het Huis van Portaal ligt aan de Beneluxlaan 9 in Utrecht en is goed bereikbaar met "
    "het openbaar vervoer vanaf Utrecht Centraal. Plan uw reis via 9292.nl.\n"
    "Er is beperkt parkeergelegenheid; kom bij voorkeur met het openbaar vervoer of de fiets."
)
VENUE_ROUTE_EN = (
    "Het Huis van Portaal is at Beneluxlaan 9 in Utrecht and easy to reach by public "
    "transport from Utrecht Centraal. Plan your journey at 9292.nl.\n"
    "Parking is limited; please come by public transport or by bike."
)
VENUE_ACCESS_NL = (
    "Het gebouw is toegankelijk voor rolstoelgebruikers: er is een lift naar alle "
    "verdiepingen en een toegankelijk toilet. In de grote zaal is een ringleiding.\n"
    "Heeft u iets nodig om goed deel te kunnen nemen? Laat het ons weten bij uw aanmelding "
    "of via het secretariaat."
)
VENUE_ACCESS_EN = (
    "The building is accessible to wheelchair users: a lift serves every floor and there is "
    "an accessible toilet. The main hall has a hearing loop.\n"
    "Do you need anything to take part fully? Tell us when you register or through the "
    "secretariat."
)

WORK_SESSIONS = [
    (
        "Wat werkt in gemengd wonen? Lessen uit onderzoek",
        "What works in mixed housing? Lessons from research",
        ["maarten-davelaar"],
    ),
    (
        "Selectie en toewijzing: wie woont er samen?",
        "Selection and allocation: who lives together?",
        ["aly-gruppen"],
    ),
    (
        "Begeleiding en beheer: huismeester, woonbegeleider en buurtnetwerk",
        "Support and management: caretaker, housing coach and neighbourhood network",
        ["jeroen-knevel"],
    ),
    (
        "Bewoners aan het woord: zelfbeheer en eigenaarschap",
        "Residents speak: self-management and ownership",
        [],
    ),
    (
        "Van beschermd wonen naar beschermd thuis in de wijk",
        "From sheltered housing to sheltered at home in the neighbourhood",
        [],
    ),
    ("Gemengd wonen buiten de stad", "Mixed housing outside the city", []),
    (
        "Knelpunten in landelijk beleid: regels, geld en kostendelersnorm",
        "Bottlenecks in national policy: rules, money and the cost-sharers' standard",
        [],
    ),
    (
        "Sociaal ondernemen in gemengde woonprojecten",
        "Social enterprise in mixed housing projects",
        [],
    ),
]


def upcoming_date(today: dt.date) -> dt.date:
    """Return the first Friday at least six weeks after `today`."""
    earliest = today + dt.timedelta(weeks=6)
    return earliest + dt.timedelta(days=(4 - earliest.weekday()) % 7)


class _Loader:
    def __init__(self):
        self.changed = 0

    def upsert(self, model, lookup: dict, values: dict, m2m: dict | None = None):
        """Return the row matching `lookup` with `values`, writing only what differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.changed += 1
        else:
            dirty = [k for k, v in values.items() if getattr(obj, k) != v]
            if dirty:
                for key in dirty:
                    setattr(obj, key, values[key])
                obj.full_clean()
                obj.save()
                self.changed += 1
        for name, wanted in (m2m or {}).items():
            manager = getattr(obj, name)
            if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
                manager.set(wanted)
                self.changed += 1
        return obj


def _logo_png(name: str, colour: str) -> bytes:
    """Draw a plain word-mark logo (ILLUSTRATIVE: the real logos are not ours to ship)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (320, 128), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 319, 127], outline=colour, width=6)
    font = ImageFont.load_default(size=26)
    words, line, lines = name.split(), "", []
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > 290 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = 64 - 16 * len(lines)
    for text in lines:
        draw.text((160, y + 16), text, fill=colour, font=font, anchor="mm")
        y += 32
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@transaction.atomic
def load_demo(*, upcoming: bool = False, today: dt.date | None = None) -> tuple[Event, int]:
    """Create or bring up to date the Goede buren conference; return it and the rows written."""
    load = _Loader()
    date = upcoming_date(today or timezone.localdate()) if upcoming else REAL_DATE

    organiser = load.upsert(
        Organiser,
        {"slug": "meedoen-naar-vermogen"},
        {
            "name": "Meedoen naar Vermogen (Gemeente Utrecht)",
            "email": CONTACT_EMAIL,
            "website": "https://www.utrecht.nl/",
        },
    )
    venue = load.upsert(
        Venue,
        {"organiser": organiser, "name": "Het Huis van Portaal"},
        {
            "street": "Beneluxlaan 9",
            "postal_code": "",
            "city": "Utrecht",
            "route_nl": VENUE_ROUTE_NL,
            "route_en": VENUE_ROUTE_EN,
            "accessibility_nl": VENUE_ACCESS_NL,
            "accessibility_en": VENUE_ACCESS_EN,
        },
    )
    # ILLUSTRATIVE rooms.
    hall = load.upsert(Room, {"venue": venue, "name": "Grote zaal"}, {"capacity": 250})
    living_rooms = [
        load.upsert(Room, {"venue": venue, "name": f"Huiskamer {n}"}, {"capacity": 12})
        for n in range(1, 25)
    ]
    work_rooms = [
        load.upsert(Room, {"venue": venue, "name": f"Werkruimte {n}"}, {"capacity": 30})
        for n in range(1, 9)
    ]

    event = load.upsert(
        Event,
        {"slug": SLUG},
        {
            "organiser": organiser,
            "name_nl": NAME_NL,
            "name_en": NAME_EN,
            "tagline_nl": TAGLINE_NL,
            "tagline_en": TAGLINE_EN,
            "description_nl": DESCRIPTION_NL,
            "description_en": DESCRIPTION_EN,
            "expectations_nl": EXPECTATIONS_NL,
            "expectations_en": EXPECTATIONS_EN,
            "audience_nl": AUDIENCE_NL,
            "audience_en": AUDIENCE_EN,
            "date": date,
            "start_time": dt.time(10, 0),
            "end_time": dt.time(16, 30),
            "venue": venue,
            "contact_name": CONTACT_NAME,
            "contact_email": CONTACT_EMAIL,
            # With a date to come the demo takes registrations; on its real date it is history.
            "status": EventStatus.REGISTRATION_OPEN if upcoming else EventStatus.PUBLISHED,
        },
    )

    for order, (name, website, colour) in enumerate(PARTNERS):
        partner = load.upsert(
            Partner, {"event": event, "name": name}, {"website": website, "order": order}
        )
        if not partner.logo or not partner.logo.storage.exists(partner.logo.name):
            partner.logo.save(f"{SLUG}-{order + 1}.png", ContentFile(_logo_png(name, colour)))
            load.changed += 1

    speakers = {
        slug: load.upsert(
            Speaker,
            {"event": event, "slug": slug},
            {"name": name, "affiliation_nl": aff_nl, "affiliation_en": aff_en},
        )
        for slug, name, aff_nl, aff_en in SPEAKERS
    }
    projects = []
    for slug, name, place, mix in PROJECTS:
        groups_nl, groups_en = _MIXES[mix]
        projects.append(
            load.upsert(
                Project,
                {"event": event, "slug": slug},
                {
                    "name": name,
                    "place": place,
                    "groups_nl": groups_nl,
                    "groups_en": groups_en,
                    "description_nl": (
                        f"In {name} in {place} wonen {groups_nl} samen in één gebouw, met "
                        "gedeelde ruimtes en afspraken over wat bewoners voor elkaar doen."
                    ),
                    "description_en": (
                        f"At {name} in {place}, {groups_en} live together in one building, "
                        "with shared spaces and agreements on what residents do for each other."
                    ),
                },
            )
        )

    def item(kind, start, end, title_nl, title_en, *, desc_nl="", desc_en="", who=(), films=()):
        return load.upsert(
            ProgrammeItem,
            {"event": event, "title_nl": title_nl},
            {
                "kind": kind,
                "title_en": title_en,
                "start": dt.time(*start),
                "end": dt.time(*end),
                "description_nl": desc_nl,
                "description_en": desc_en,
                "room": hall,
            },
            m2m={"speakers": [speakers[s] for s in who], "projects": list(films)},
        )

    # ILLUSTRATIVE times and titles; the elements and speakers are the announcement's.
    item(ItemKind.PLENARY, (10, 0), (10, 15), "Welkom en opening", "Welcome and opening")
    item(
        ItemKind.REFLECTION,
        (10, 15),
        (10, 30),
        "Reflectie: de waarde van gemengd wonen voor een corporatie",
        "Reflection: the value of mixed housing for a housing corporation",
        who=["dirk-jan-van-der-zeep"],
    )
    item(
        ItemKind.FILM,
        (10, 30),
        (10, 40),
        "Korte film: goede buren in beeld",
        "Short film: good neighbours on screen",
        desc_nl="Gemengde woonprojecten en hun opbrengsten in beeld gebracht.",
        desc_en="Mixed housing projects and what they bring, on film.",
        films=projects[0:3],
    )
    rounds = []
    for number, (start, end) in enumerate((((10, 45), (11, 35)), ((13, 10), (14, 0))), start=1):
        rounds.append(
            load.upsert(
                Round,
                {"event": event, "title_nl": f"Huiskamergesprekken, ronde {number}"},
                {
                    "title_en": f"Living-room conversations, round {number}",
                    "start": dt.time(*start),
                    "end": dt.time(*end),
                    "description_nl": (
                        "Kennismaken met bewoners en medewerkers van bijzondere en "
                        "inspirerende projecten, in kleine groepen van ongeveer tien mensen."
                    ),
                    "description_en": (
                        "Meet residents and staff of special and inspiring projects, in small "
                        "groups of about ten people."
                    ),
                },
            )
        )
    item(
        ItemKind.REFLECTION,
        (11, 45),
        (12, 5),
        "Reflectie: gemengd wonen in de Utrechtse wijken",
        "Reflection: mixed housing in Utrecht's neighbourhoods",
        who=["kees-diepeveen", "paulus-jansen"],
    )
    item(
        ItemKind.LUNCH,
        (12, 5),
        (12, 50),
        "Lunch",
        "Lunch",
        desc_nl="Lunch, koffie en thee.",
        desc_en="Lunch, coffee and tea.",
    )
    item(
        ItemKind.REFLECTION,
        (12, 50),
        (13, 5),
        "Reflectie: van beschermd wonen naar beschermd thuis",
        "Reflection: from sheltered housing to sheltered at home",
        who=["erik-dannenberg"],
    )
    item(ItemKind.BREAK, (14, 0), (14, 15), "Pauze met koffie en thee", "Coffee and tea break")
    workshops = load.upsert(
        Round,
        {"event": event, "title_nl": "Werksessies"},
        {
            "title_en": "Work sessions",
            "start": dt.time(14, 15),
            "end": dt.time(15, 5),
            "description_nl": (
                "Onderzoekers, casushouders, sociaal-ondernemers en bewoners bieden inzichten "
                "uit onderzoek en de praktijk over wat (niet) werkt in gemengd wonen."
            ),
            "description_en": (
                "Researchers, case holders, social entrepreneurs and residents share insights "
                "from research and practice on what does (not) work in mixed housing."
            ),
        },
    )
    item(
        ItemKind.FILM,
        (15, 5),
        (15, 15),
        "Korte films: gemengde woonprojecten en hun opbrengsten",
        "Short films: mixed housing projects and what they bring",
        desc_nl="Gemengde woonprojecten en hun opbrengsten in beeld gebracht.",
        desc_en="Mixed housing projects and what they bring, on film.",
        films=projects[3:6],
    )
    item(
        ItemKind.REFLECTION,
        (15, 15),
        (15, 35),
        "Reflectie: wat werkt in gemengd wonen?",
        "Reflection: what works in mixed housing?",
        who=["maarten-davelaar", "aly-gruppen", "jeroen-knevel"],
    )
    item(
        ItemKind.DISCUSSION,
        (15, 35),
        (16, 5),
        "Discussie over uitdagingen",
        "Discussion of the challenges",
        desc_nl=(
            "Wat valt er uit deze projecten te leren voor het meer inclusief maken van "
            "‘gewone’ buurten? Welke knelpunten rond landelijk beleid ervaren deze projecten "
            "en in bredere zin de beweging van opvang/beschermd wonen naar ‘beschermd thuis’ "
            "in de wijk?"
        ),
        desc_en=(
            "What can these projects teach us about making ‘ordinary’ neighbourhoods more "
            "inclusive? Which bottlenecks in national policy do these projects experience, "
            "and more broadly the move from shelter and sheltered housing to ‘sheltered at "
            "home’ in the neighbourhood?"
        ),
    )
    item(ItemKind.DRINKS, (16, 5), (16, 30), "Borrel", "Drinks")

    for round_ in rounds:
        for order, (project, room) in enumerate(zip(projects, living_rooms, strict=True)):
            load.upsert(
                Session,
                {"round": round_, "title_nl": f"Huiskamergesprek: {project.name}"},
                {
                    "kind": SessionKind.LIVING_ROOM,
                    "title_en": f"Living-room conversation: {project.name}",
                    "description_nl": f"In gesprek met bewoners en medewerkers van {project.name} ({project.place}).",
                    "description_en": f"Talk with residents and staff of {project.name} ({project.place}).",
                    "room": room,
                    "capacity": 11,
                    "order": order,
                },
                m2m={"projects": [project]},
            )
    for order, ((title_nl, title_en, hosts), room) in enumerate(
        zip(WORK_SESSIONS, work_rooms, strict=True)
    ):
        load.upsert(
            Session,
            {"round": workshops, "title_nl": title_nl},
            {
                "kind": SessionKind.WORK_SESSION,
                "title_en": title_en,
                "room": room,
                "capacity": 30,
                "order": order,
            },
            m2m={
                "hosts": [speakers[s] for s in hosts],
                "projects": projects[6 + order * 2 : 8 + order * 2],
            },
        )

    demo_loaded.send(sender=Event, event=event, loader=load)

    if load.changed:
        Event.objects.filter(pk=event.pk).update(updated=timezone.now())
        log_action(event, action="event.demo_loaded", data={"rows_written": load.changed})

        enqueue_on_commit(tasks.render_calendar, event.pk)
    event.refresh_from_db()
    return event, load.changed
