"""Badges: exactly the fields the attendee chose, never the attending role or ticket type;
long names shrink to 18 pt and then wrap; label sheets match their presets to 0.5 mm."""

import io
import itertools

import pdfplumber
import pytest
from reportlab.lib.units import mm

from goedeburen.checkin.enums import BadgeLayout
from goedeburen.checkin.models import CheckinSettings, DayChoices
from goedeburen.checkin.pdf import badges
from goedeburen.common import pdf_fonts
from goedeburen.registration.enums import AttendingRole, BadgeName, RegistrationStatus
from tests.factories import (
    AttendeeFactory,
    RegistrationFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    TicketTypeFactory,
)
from tests.pdf_glyphs import DEVANAGARI_DRAWN, DEVANAGARI_NAME, drawn_glyphs, embedded_fonts

pytestmark = pytest.mark.django_db

NAMES = [
    ("Zoë", "Şahin-Łukasiewicz"),
    ("李明", ""),
    ("Ĳsbrand", "van 't Hof"),
    ("Ingrid", "de Vries"),
    ("Mohammed", "El Amrani"),
    ("ሰላም", "ተስፋይ"),
    ("Anna-Maria Theodora", "Wilhelmina van Oldenbarnevelt"),
]
MM = 72 / 25.4


def _attendees(event, count):
    resident = TicketTypeFactory(event=event, name_nl="Bewoner", name_en="Resident")
    regular = TicketTypeFactory(event=event, name_nl="Deelname", name_en="Participation")
    made = []
    for n, ((given, family), role) in zip(
        range(count), itertools.cycle(itertools.product(NAMES, AttendingRole.values)), strict=False
    ):
        registration = RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
        attendee = AttendeeFactory(
            registration=registration,
            ticket_type=resident if role == AttendingRole.RESIDENT else regular,
            given_name=given,
            family_name=family,
            role=role,
            organisation=f"Woonproject De Linde {n}" if n % 3 else "",
            badge_name=BadgeName.FIRST_NAME if n % 4 == 0 else BadgeName.FULL,
            photo_consent=n % 2 == 0,
        )
        if n % 5 == 0:
            DayChoices.objects.create(
                attendee=attendee, pronouns="zij/haar", show_organisation=n % 2 == 0
            )
        made.append(attendee)
    return made


def _expected_lines(badge: badges.Badge) -> list[str]:
    lines = [badge.name]
    if badge.pronouns:
        lines.append(badge.pronouns)
    if badge.organisation:
        lines.append(badge.organisation)
    lines += list(badge.rooms)
    if badge.no_photos:
        lines.append("geen foto's")
    return lines


def _badge_text(pdf, sheet, index):
    page = pdf.pages[index // sheet.per_sheet]
    left, top = sheet.position(index % sheet.per_sheet)
    box = (left * MM, top * MM, (left + sheet.width) * MM, (top + sheet.height) * MM)
    return page.crop(box).extract_text()


def test_300_badges_hold_exactly_the_allowed_fields(event):
    attendees = _attendees(event, 300)
    round_ = RoundFactory(event=event)
    room = RoomFactory(venue=event.venue, name="Zaal 2")
    session = SessionFactory(round=round_, room=room)
    from goedeburen.matching.models import AssignmentRun, Placement

    run = AssignmentRun.objects.create(event=event, status="done", is_published=True)
    Placement.objects.bulk_create(
        Placement(run=run, attendee=a, round=round_, session=session) for a in attendees[:50]
    )
    found = badges.badges_for(event, attendees)
    sheet = badges.SHEETS[BadgeLayout.AVERY_L7418]

    content = badges.render_badges(found, layout=BadgeLayout.AVERY_L7418)

    forbidden = {"Bewoner", "Resident", "Deelname", "Participation"}
    forbidden |= {str(label) for label in AttendingRole.labels} | set(AttendingRole.values)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert len(pdf.pages) == 30
        texts = [_badge_text(pdf, sheet, n) for n in range(300)]
        whole = "\n".join(page.extract_text() for page in pdf.pages)
    # Names and organisations may wrap: compare the words, in order, line breaks aside.
    assert [t.split() for t in texts] == [" ".join(_expected_lines(b)).split() for b in found]
    assert [word for word in forbidden if word in whole] == []
    assert found[0].rooms == (f"{session.starts:%H:%M} Zaal 2",)


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_a_40_character_name_stays_at_18_pt_or_more_and_inside_the_badge(event, layout):
    name = "Anna-Maria Wilhelmina van Oldenbarnevelt"
    assert len(name) == 40
    badge = badges.Badge(name=name, organisation="Portaal")
    sheet = badges.SHEETS[layout]

    content = badges.render_badges([badge], layout=layout)

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["size"] >= 17]
    left, top = sheet.position(0)
    inside = [
        left * MM <= c["x0"]
        and c["x1"] <= (left + sheet.width) * MM
        and top * MM <= c["top"]
        and c["bottom"] <= (top + sheet.height) * MM
        for c in chars
    ]
    assert "".join(c["text"] for c in chars).replace(" ", "") == name.replace(" ", "")
    assert min(c["size"] for c in chars) >= 18
    assert all(inside)


def test_a_short_name_is_set_larger_than_18_pt(event):
    content = badges.render_badges([badges.Badge(name="Bo")], layout=BadgeLayout.A6)

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        sizes = {round(c["size"]) for c in pdf.pages[0].chars}

    assert sizes == {40}


def test_a_right_to_left_name_prints_joined_from_the_right_and_centred():
    content = badges.render_badges(
        [badges.Badge(name="فاطمه رضایی", organisation="שכנים טובים")], layout=BadgeLayout.A6
    )

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0]
        lines = page.extract_text().splitlines()
        name = [c for c in page.chars if c["size"] >= 18]
    sheet = badges.SHEETS[BadgeLayout.A6]
    left, _top = sheet.position(0)
    centre = (left + sheet.width / 2) * MM

    # As drawn, written out: each letter in its joined form, the words from the right.
    assert lines[:2] == ["ﯽﯾﺎﺿﺭ ﻪﻤﻃﺎﻓ", "םיבוט םינכש"]
    middle = (min(c["x0"] for c in name) + max(c["x1"] for c in name)) / 2
    assert abs(middle - centre) < 1


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_alignment_page_and_badges_sit_where_the_preset_says(layout):
    sheet = badges.SHEETS[layout]
    many = [badges.Badge(name=f"Naam {n}") for n in range(sheet.per_sheet)]

    alignment = badges.render_alignment(layout)
    content = badges.render_badges(many, layout=layout)

    with pdfplumber.open(io.BytesIO(alignment)) as pdf:
        rects = sorted(
            (round(r["top"] / MM, 2), round(r["x0"] / MM, 2), r["width"] / MM, r["height"] / MM)
            for r in pdf.pages[0].rects
        )
    expected = sorted(
        (sheet.position(n)[1], sheet.position(n)[0], sheet.width, sheet.height)
        for n in range(sheet.per_sheet)
    )
    assert len(rects) == len(expected)
    for got, want in zip(rects, expected, strict=True):
        assert all(abs(g - w) <= 0.5 for g, w in zip(got, want, strict=True)), (got, want)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        words = [w for w in pdf.pages[0].extract_words() if w["text"] == "Naam"]
        lines = pdf.pages[0].extract_words(keep_blank_chars=True)
    centres = sorted(
        (round(w["top"] / MM), (w["x0"] + w["x1"]) / 2 / MM)
        for w in lines
        if w["text"].startswith("Naam ")
    )
    wanted = sorted((None, sheet.position(n)[0] + sheet.width / 2) for n in range(sheet.per_sheet))
    assert len(words) == sheet.per_sheet
    assert [
        abs(c[1] - w[1]) <= 0.5
        for c, w in zip(
            sorted(centres, key=lambda c: c[1]), sorted(wanted, key=lambda w: w[1]), strict=True
        )
    ] == [True] * sheet.per_sheet


def test_badge_shows_the_qr_code_only_when_the_event_wants_it(event):
    [attendee] = _attendees(event, 1)

    without = badges.badges_for(event, [attendee])[0]
    CheckinSettings.objects.create(event=event, badge_qr=True)
    with_qr = badges.badges_for(event, [attendee])[0]

    from goedeburen.checkin import tickets

    assert (without.qr, with_qr.qr) == ("", tickets.secret_for(attendee))


def test_badge_query_count_does_not_grow_with_attendees(event, django_assert_max_num_queries):
    attendees = _attendees(event, 3)

    with django_assert_max_num_queries(4):
        badges.badges_for(event, attendees[:1])
    with django_assert_max_num_queries(4):
        badges.badges_for(event, attendees)
    assert mm > 0


def test_thai_and_devanagari_names_print_in_their_embedded_fonts_shaped():
    content = badges.render_badges(
        [badges.Badge(name="สมชาย ใจดี"), badges.Badge(name=DEVANAGARI_NAME)],
        layout=BadgeLayout.A6,
    )

    sheet = badges.SHEETS[BadgeLayout.A6]
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        thai = _badge_text(pdf, sheet, 0)
        devanagari = [c for c in pdf.pages[0].chars if c["size"] >= 18 and c["text"] != " "]

    assert thai == "สมชาย ใจดี"  # no mark moved: read back as typed
    # Glyph by glyph as Noto Sans Devanagari shapes it: no .notdef, nothing blank.
    assert drawn_glyphs(devanagari, pdf_fonts.DEVANAGARI_BOLD) == DEVANAGARI_DRAWN
    assert {"NotoSansThai-Bold", "NotoSansDevanagari-Bold"} <= embedded_fonts(content)
