"""Name badges on A4 sheets: A6 or A7 cut from plain paper, or common label sheets.

A badge shows only what the attendee chose to show: the badge name (full, or first name
only), optional pronouns, the organisation unless they left it off, the rooms of their
sessions per round, the ticket's QR code when the event wants it, and a discreet no-photo
marker for those who did not consent to photos. Never the attending role, the ticket type
or anything else that marks someone as a resident (DESIGN.md, invariant 10).

The name is set as large as the badge allows and shrinks to fit, never below 18 pt; a
name too long even then wraps onto at most three lines (fewer when the rooms and the QR
code at the foot need the space). Whatever still does not fit (a
name, pronouns, an organisation or a room as long as its field allows) ends in "…":
nothing runs off the badge.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from goedeburen.events.models import Event

from .. import queries, tickets
from ..enums import BadgeLayout
from . import drawing

MIN_NAME_SIZE = 18
NAME_LINES = 3


@dataclass(frozen=True)
class Sheet:
    """Where badges sit on an A4 sheet, in millimetres from the sheet's top left corner."""

    width: float
    height: float
    columns: int
    rows: int
    left: float
    top: float
    h_pitch: float
    v_pitch: float
    margin: float  # inside the badge
    name_size: float  # the largest name size
    cut_marks: bool  # plain paper: draw where to cut

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def position(self, index: int) -> tuple[float, float]:
        """Return (left, top) in mm of the badge at `index` (0-based) on its sheet."""
        column, row = index % self.columns, index // self.columns
        return self.left + column * self.h_pitch, self.top + row * self.v_pitch


# The manufacturers' published layouts; the alignment page (`render_alignment`) shows on
# the real sheet whether a printer keeps to them.
SHEETS = {
    BadgeLayout.A6: Sheet(105, 148.5, 2, 2, 0, 0, 105, 148.5, 10, 40, True),
    BadgeLayout.A7: Sheet(105, 74.25, 2, 4, 0, 0, 105, 74.25, 6, 30, True),
    BadgeLayout.AVERY_L7418: Sheet(86, 55, 2, 5, 14, 11, 96, 55, 4, 26, False),
    BadgeLayout.HERMA_4412: Sheet(80, 50, 2, 5, 18, 13, 95, 55, 4, 24, False),
    BadgeLayout.DURABLE_1456: Sheet(90, 54, 2, 5, 15, 13.5, 90, 54, 4, 26, False),
}


@dataclass(frozen=True)
class Badge:
    """What one badge shows; built by `badges_for`, drawn by `render_badges`."""

    name: str
    pronouns: str = ""
    organisation: str = ""
    rooms: tuple[str, ...] = ()
    qr: str = ""
    no_photos: bool = False


def badges_for(event: Event, attendees) -> list[Badge]:
    """Return the badges of `attendees` (a constant number of queries)."""
    attendees = list(attendees)
    settings = queries.checkin_settings(event)
    choices = queries.day_choices(attendees)
    rooms = queries.programme_rooms(event, attendees)
    return [
        Badge(
            name=attendee.badge_text,
            pronouns=choices[attendee.pk].pronouns,
            organisation=attendee.organisation if choices[attendee.pk].show_organisation else "",
            rooms=tuple(rooms.get(attendee.pk, [])),
            qr=tickets.secret_for(attendee) if settings.badge_qr else "",
            no_photos=not attendee.photo_consent,
        )
        for attendee in attendees
    ]


def render_badges(badges: list[Badge], *, layout: str, title: str = "") -> bytes:
    """Return the PDF of `badges` on sheets of `layout`, in the active language."""
    sheet = SHEETS[BadgeLayout(layout)]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    drawing.setup(canvas, title=title or _("Badges"))
    for start in range(0, max(len(badges), 1), sheet.per_sheet):
        for index, badge in enumerate(badges[start : start + sheet.per_sheet]):
            left, top = sheet.position(index)
            x, y = left * mm, A4[1] - (top + sheet.height) * mm
            if sheet.cut_marks:
                _cut_marks(canvas, x, y, sheet)
            _draw(canvas, badge, x, y, sheet)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_alignment(layout: str) -> bytes:
    """Return a test page: every badge position outlined and numbered, a cross at each
    centre and a 100 mm ruler, to print on plain paper and hold against a label sheet."""
    sheet = SHEETS[BadgeLayout(layout)]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    drawing.setup(canvas, title=_("Alignment test page"))
    canvas.setLineWidth(0.3)
    for index in range(sheet.per_sheet):
        left, top = sheet.position(index)
        x, y = left * mm, A4[1] - (top + sheet.height) * mm
        w, h = sheet.width * mm, sheet.height * mm
        canvas.rect(x, y, w, h, stroke=1, fill=0)
        cx, cy = x + w / 2, y + h / 2
        canvas.line(cx - 3 * mm, cy, cx + 3 * mm, cy)
        canvas.line(cx, cy - 3 * mm, cx, cy + 3 * mm)
        drawing.text(canvas, x + 2 * mm, y + h - 5 * mm, str(index + 1), 8)
    label = dict(BadgeLayout.choices)[BadgeLayout(layout)]
    drawing.text(canvas, 12 * mm, 6 * mm, f"{_('Alignment test page')}: {label}", 8)
    ruler_x, ruler_y = 110 * mm, 6 * mm
    canvas.line(ruler_x, ruler_y, ruler_x + 80 * mm, ruler_y)
    for tick in range(0, 81, 10):
        canvas.line(ruler_x + tick * mm, ruler_y, ruler_x + tick * mm, ruler_y + 2 * mm)
    drawing.text(canvas, ruler_x, ruler_y + 3 * mm, _("80 mm"), 7)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _cut_marks(canvas, x, y, sheet):
    canvas.saveState()
    canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
    canvas.setLineWidth(0.25)
    canvas.setDash(2, 2)
    canvas.rect(x, y, sheet.width * mm, sheet.height * mm, stroke=1, fill=0)
    canvas.restoreState()


def _draw(canvas, badge: Badge, x, y, sheet: Sheet) -> None:
    margin = sheet.margin * mm
    inner = sheet.width * mm - 2 * margin
    centre = x + sheet.width * mm / 2
    cursor = y + sheet.height * mm - margin
    bottom = y + margin
    small = max(8.0, min(12.0, sheet.name_size * 0.42))
    room_size = max(7.0, small * 0.8)
    qr_size = min(22 * mm, sheet.height * mm * 0.38) if badge.qr else 0.0
    # The foot of the badge holds the rooms (left) and the QR code (right); the name,
    # pronouns and organisation above it get fewer lines when they would reach it.
    rooms_top = bottom + (4 * mm if badge.no_photos else 0) + len(badge.rooms) * room_size * 1.25
    room = cursor - max(rooms_top, bottom + qr_size) - 1 * mm
    size, lines = drawing.fitted(
        badge.name, max_width=inner, largest=sheet.name_size, smallest=MIN_NAME_SIZE
    )
    pronouns = drawing.clip(badge.pronouns, small, inner)
    room -= small * 1.1 if pronouns else 0
    organisation = drawing.wrap(badge.organisation, small, inner, max_lines=2)
    if len(organisation) * small * 1.25 + len(lines) * size * 1.2 > room:
        organisation = drawing.wrap(badge.organisation, small, inner, max_lines=1)
    room -= len(organisation) * small * 1.25
    fit = max(1, min(NAME_LINES, int(room // (size * 1.2))))
    if len(lines) > fit:
        lines = drawing.wrap(badge.name, size, inner, bold=True, max_lines=fit)
    for line in lines:
        cursor -= size
        drawing.centred(canvas, centre, cursor, line, size, bold=True)
        cursor -= size * 0.2
    if pronouns:
        cursor -= small * 1.1
        drawing.centred(canvas, centre, cursor, pronouns, small)
    for line in organisation:
        cursor -= small * 1.25
        drawing.centred(canvas, centre, cursor, line, small)
    if badge.qr:
        drawing.qr(canvas, badge.qr, x + sheet.width * mm - margin - qr_size, bottom, qr_size)
    line_y = bottom + (4 * mm if badge.no_photos else 0)
    # Beside the QR code, with a little space between.
    room_width = inner - (qr_size + 2 * mm if qr_size else 0)
    for room_line in reversed(badge.rooms):
        room_line = drawing.clip(room_line, room_size, room_width)
        drawing.text(canvas, x + margin, line_y, room_line, room_size)
        line_y += room_size * 1.25
    if badge.no_photos:
        drawing.no_photo_marker(canvas, x + margin, bottom - 0.5 * mm, _("no photos"), 6)
