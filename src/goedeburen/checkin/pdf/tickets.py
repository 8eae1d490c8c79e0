"""Tickets as a PDF: one A4 page per attendee with the QR code, the event and their
sessions; as a letter (addressed, with a word of explanation) for people without a phone."""

import contextlib
import io

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from .. import queries, tickets
from . import drawing

LEFT = 20 * mm
TEXT_WIDTH = A4[0] - 2 * LEFT
QR_SIZE = 60 * mm


def render_tickets(
    registration: Registration, *, letter: bool = False, attendees: list[Attendee] | None = None
) -> bytes:
    """Return the tickets of a confirmed registration's attendees ("" when not confirmed);
    of `attendees` only when given (the colleague who goes instead gets their own alone).

    Each page: the badge name, the event, date, time and venue, the attendee's sessions
    once published, the QR code and its code in characters for typing. A `letter` adds the
    person's name as an address line and how to use it.
    """
    if registration.status != RegistrationStatus.CONFIRMED:
        return b""
    if attendees is None:
        attendees = list(registration.attendees.all())
    title = _("Ticket – %(event)s") % {"event": registration.event.t.name}
    return _document(registration.event, title, [(None, attendees)], letter=letter)


def render_letters(event: Event, registrations: list[Registration]) -> bytes:
    """Return the letters (`render_tickets` with `letter`) of every attendee of the
    confirmed ones among `registrations` (attendees prefetched), in one PDF to print; each
    letter in its registration's language. b"" when none of them is confirmed."""
    groups = [
        (r.language, list(r.attendees.all()))
        for r in registrations
        if r.status == RegistrationStatus.CONFIRMED
    ]
    if not any(attendees for _language, attendees in groups):
        return b""
    title = _("Letters with tickets – %(event)s") % {"event": event.t.name}
    return _document(event, title, groups, letter=True)


def _document(event: Event, title: str, groups: list, *, letter: bool) -> bytes:
    """Return one page per attendee of `groups` ((language or None: the active one,
    attendees)), their sessions read in one go."""
    lines = queries.programme_lines(event, [a for _language, group in groups for a in group])
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    drawing.setup(canvas, title=title)
    for language, group in groups:
        with translation.override(language) if language else contextlib.nullcontext():
            for attendee in group:
                _page(canvas, event, attendee, lines.get(attendee.pk, []), letter=letter)
                canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas, event, attendee, sessions, *, letter):
    top = A4[1] - 25 * mm
    y = top
    if letter:
        # Address lines: one each, as on an envelope.
        drawing.text(canvas, LEFT, y, drawing.clip(attendee.full_name, 11, TEXT_WIDTH), 11)
        if attendee.organisation:
            y -= 14
            drawing.text(canvas, LEFT, y, drawing.clip(attendee.organisation, 11, TEXT_WIDTH), 11)
        y -= 28
        dear = _("Dear %(name)s,") % {"name": attendee.given_name}
        for line in drawing.wrap(dear, 11, TEXT_WIDTH, max_lines=2):
            drawing.text(canvas, LEFT, y, line, 11)
            y -= 15
        y -= 3
        intro = _(
            "This letter is your ticket for %(event)s. Bring it with you: at the entrance "
            "we scan the square code below, and you get your name badge."
        ) % {"event": event.t.name}
        for line in drawing.wrap(intro, 11, TEXT_WIDTH):
            drawing.text(canvas, LEFT, y, line, 11)
            y -= 15
        y -= 15
    drawing.text(canvas, LEFT, y, _("Ticket"), 12)
    y -= 30
    for line in drawing.wrap(attendee.badge_text, 24, TEXT_WIDTH, bold=True, max_lines=3):
        drawing.text(canvas, LEFT, y, line, 24, bold=True)
        y -= 28
    y -= 6
    for line in drawing.wrap(event.t.name, 14, TEXT_WIDTH, bold=True, max_lines=3):
        drawing.text(canvas, LEFT, y, line, 14, bold=True)
        y -= 18
    date = formats.date_format(event.date, "DATE_FORMAT")
    when = f"{date}, {event.start_time:%H:%M}–{event.end_time:%H:%M}"
    drawing.text(canvas, LEFT, y, when, 12)
    if event.venue_id:
        place = f"{event.venue.name}, {event.venue.address}"
        for line in drawing.wrap(place, 12, TEXT_WIDTH, max_lines=2):
            y -= 16
            drawing.text(canvas, LEFT, y, line, 12)
    y -= 14
    qr_top = y - QR_SIZE
    secret = tickets.secret_for(attendee)
    drawing.qr(canvas, secret, LEFT, qr_top, QR_SIZE)
    drawing.text(canvas, LEFT, qr_top - 14, secret, 9)
    y = qr_top - 40
    if sessions:
        drawing.text(canvas, LEFT, y, _("Your sessions"), 12, bold=True)
        y -= 16
        for line in sessions:
            drawing.text(canvas, LEFT, y, drawing.clip(line, 11, TEXT_WIDTH), 11)
            y -= 14
    y -= 10
    note = _("Keep this code to yourself: anyone who shows it can come in instead of you.")
    for line in drawing.wrap(note, 9, TEXT_WIDTH):
        drawing.text(canvas, LEFT, y, line, 9)
        y -= 12
