"""Every value on the day's PDFs (badges, tickets, ticket letters, certificates, lists) may
be as long as its field allows, or one long word: it stays on its page or badge and off
the other texts, ending in "…" where it is cut off; markup in it prints as typed."""

import io

import pdfplumber
import pytest

from goedeburen.checkin.enums import BadgeLayout
from goedeburen.checkin.models import Certificate, DayChoices
from goedeburen.checkin.pdf import badges, certificates, lists, tickets
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import AttendeeFactory, RegistrationFactory

from .test_badges import MM

pytestmark = pytest.mark.django_db

MARKUP = '<b>Ada</b><font size=80>&nbsp;<i>&#0;"><img>'
SHAPES = {
    # Words of a length people have (wrapped), and one word as long as the field (split).
    "words": lambda length: ("Wilhelmina " * length)[:length].strip(),
    "one word": lambda length: "W" * length,
}
OUTPUTS = [
    *(f"badge {layout}" for layout in BadgeLayout),
    "ticket",
    "letter",
    "certificate",
    "list",
]


def _render(output: str, event, attendee) -> bytes:
    registration = attendee.registration
    if output.startswith("badge"):
        layout = output.split()[1]
        return badges.render_badges(badges.badges_for(event, [attendee]), layout=layout)
    if output in ("ticket", "letter"):
        return tickets.render_tickets(registration, letter=output == "letter")
    if output == "certificate":
        certificate = Certificate.objects.create(
            attendee=attendee, event=event, code="C1", name=attendee.full_name, hours=3
        )
        return certificates.render_certificates([certificate])
    return lists.render_list(
        title=f"Sessielijst {event.t.name}",
        event=event,
        rows=[(attendee.full_name, attendee.organisation)],
        headers=["Naam", "Organisatie"],
        tick=True,
    )


def _crowded(content: bytes, output: str) -> list[str]:
    """Return what a reader would find wrong: characters outside the page (the badge, on
    a sheet of badges) and words drawn over each other."""
    found = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            box = (0, 0, page.width, page.height)
            if output.startswith("badge"):
                sheet = badges.SHEETS[output.split()[1]]
                left, top = sheet.position(0)
                box = (left * MM, top * MM, (left + sheet.width) * MM, (top + sheet.height) * MM)
            outside = [
                c["text"]
                for c in page.chars
                if c["x0"] < box[0] - 0.5
                or c["x1"] > box[2] + 0.5
                or c["top"] < box[1] - 0.5
                or c["bottom"] > box[3] + 0.5
            ]
            if outside:
                found.append("outside: " + "".join(outside)[:40])
            words = page.extract_words()
            for index, one in enumerate(words):
                for other in words[index + 1 :]:
                    across = min(one["x1"], other["x1"]) - max(one["x0"], other["x0"])
                    down = min(one["bottom"], other["bottom"]) - max(one["top"], other["top"])
                    if across > 0.5 and down > 0.5:
                        found.append(f"over each other: {one['text'][:20]} {other['text'][:20]}")
    return found


@pytest.fixture
def everything_typed(event, ticket):
    """Return a function that types `make(max_length)` into every field a day PDF shows."""

    def _typed(make):
        event.name_nl = make(300)
        event.save()
        event.venue.name, event.venue.street, event.venue.city = make(200), make(200), make(100)
        event.venue.save()
        event.organiser.name = make(200)
        event.organiser.save()
        registration = RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
        attendee = AttendeeFactory(
            registration=registration,
            ticket_type=ticket,
            given_name=make(100),
            family_name=make(150),
            organisation=make(200),
            photo_consent=False,
        )
        DayChoices.objects.create(attendee=attendee, pronouns=make(30), show_organisation=True)
        return attendee

    return _typed


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_longest_values_stay_on_the_page_and_apart(event, everything_typed, output, shape):
    attendee = everything_typed(SHAPES[shape])

    content = _render(output, event, attendee)

    assert _crowded(content, output) == []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert "…" in pdf.pages[0].extract_text()


@pytest.mark.parametrize("output", OUTPUTS)
def test_markup_in_a_value_prints_as_typed(event, everything_typed, output):
    attendee = everything_typed(lambda length: MARKUP[:length])
    attendee.family_name = ""
    attendee.save()

    content = _render(output, event, attendee)

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = pdf.pages[0].extract_text()
    # Broken into lines at a space or inside a word: compared without white space.
    assert MARKUP.replace(" ", "") in "".join(text.split())
