"""The demo's participants and their session choices, so that the assignment can be tried.

ILLUSTRATIVE: 220 fictional people with mixed roles, on a hidden demo ticket outside the
hall's quota (so that the demo's registration form keeps its seats), each with generated
rankings of the living-room conversations and work sessions. Loaded once: a second load
finds them and writes nothing. Connected to `events.signals.demo_loaded`.
"""

import random
import secrets
from decimal import Decimal

from django.dispatch import receiver

from goedeburen.events.models import Event
from goedeburen.events.signals import demo_loaded
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from goedeburen.registration.models import Attendee, Registration, TicketType
from goedeburen.registration.tokens import hash_manage_token

from . import queries
from .models import Ranking
from .solver.generate import GROUP_SHARES

DEMO_PEOPLE = 220  # the work sessions seat 240: room for 20 real registrations
CODE_PREFIX = "DEM"  # demo codes: DEM + 5 characters of the code alphabet
GIVEN = [
    "Anouk",
    "Bram",
    "Chantal",
    "Daan",
    "Esra",
    "Fleur",
    "Gijs",
    "Hanna",
    "Ilias",
    "Joost",
    "Kim",
    "Lotte",
    "Mehmet",
    "Noor",
    "Otto",
    "Priya",
    "Quinten",
    "Roos",
    "Sanne",
    "Tim",
    "Umut",
    "Vera",
    "Wouter",
    "Yara",
    "Zeynep",
    "Arjen",
    "Bo",
    "Dewi",
    "Emre",
    "Femke",
]
FAMILY = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Yilmaz",
    "El Idrissi",
    "Kok",
    "Verhoeven",
    "Dekker",
    "Brouwer",
    "Kaya",
    "van Leeuwen",
    "Postma",
    "Hoekstra",
]
ORGANISATIONS = {
    "housing_corporation": "Woonstichting De Linde (demo)",
    "care_welfare": "Stichting Zorg Dichtbij (demo)",
    "municipality": "Gemeente Utrecht (demo)",
    "national_platform": "Platform Gemengd Wonen (demo)",
    "ministry": "Ministerie van BZK (demo)",
    "research_education": "Hogeschool Utrecht (demo)",
    "resident": "",
    "other": "",
}


def _code(n: int) -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    digits = []
    for _ in range(5):
        n, rest = divmod(n, len(alphabet))
        digits.append(alphabet[rest])
    return CODE_PREFIX + "".join(reversed(digits))


@receiver(demo_loaded, sender=Event, dispatch_uid="matching.demo")
def load_participants(sender, *, event: Event, loader, **kwargs) -> None:
    """Create the demo participants and their rankings, unless they exist already."""
    ticket = loader.upsert(
        TicketType,
        {"event": event, "name_nl": "Demodeelnemer (ILLUSTRATIEF)"},
        {
            "name_en": "Demo participant (ILLUSTRATIVE)",
            "price": Decimal("0.00"),
            "vat_rate": Decimal("21.00"),
            "visible": False,
            "needs_approval": False,
            "order": 99,
        },
    )
    if Registration.objects.filter(event=event, code__startswith=CODE_PREFIX).exists():
        return
    rng = random.Random(2018)  # noqa: S311 - made-up demo data, the same on every load
    roles = list(GROUP_SHARES)
    weights = list(GROUP_SHARES.values())
    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            code=_code(n),
            booker_name=f"{GIVEN[n % len(GIVEN)]} {FAMILY[(n * 7) % len(FAMILY)]}",
            email=f"demo{n + 1}@example.org",
            status=RegistrationStatus.CONFIRMED,
            language="nl",
            # Nobody holds the link: the organiser opens these through the back office.
            manage_token_hash=hash_manage_token(secrets.token_urlsafe(32)),
        )
        for n in range(DEMO_PEOPLE)
    )
    attendees = Attendee.objects.bulk_create(
        Attendee(
            registration=registration,
            ticket_type=ticket,
            given_name=registration.booker_name.split(" ", 1)[0],
            family_name=registration.booker_name.split(" ", 1)[1],
            email=registration.email,
            role=(role := rng.choices(roles, weights)[0]),
            organisation=ORGANISATIONS.get(role, ""),
            price=Decimal("0.00"),
            vat_rate=Decimal("21.00"),
            ticket_secret=secrets.token_urlsafe(24),
        )
        for registration in registrations
    )
    assert set(ORGANISATIONS) == set(AttendingRole.values)
    rounds = queries.rounds(event)
    popularity = {
        s.pk: 1.0 / (rng.random() * 3 + 0.4) for round_ in rounds for s in round_.sessions.all()
    }
    rankings = []
    for attendee in attendees:
        if rng.random() < 0.05:
            continue  # some never choose: they are placed anyway
        for round_ in rounds:
            sessions = [s.pk for s in round_.sessions.all()]
            chosen = sorted(
                sessions, key=lambda s: rng.random() ** (1.0 / popularity[s]), reverse=True
            )[:5]
            rankings.extend(
                Ranking(attendee=attendee, session_id=s, rank=k)
                for k, s in enumerate(chosen, start=1)
            )
    Ranking.objects.bulk_create(rankings)
    loader.changed += len(registrations) + len(attendees) + len(rankings)
