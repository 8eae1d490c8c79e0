"""Certificates of attendance as PDF: name, event, date, hours, organiser, and the code
(with a QR code of the public page that confirms it)."""

import contextlib
import io

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from goedeburen.common.links import absolute_url

from ..models import Certificate
from . import drawing

CENTRE = A4[0] / 2
WIDTH = A4[0] - 50 * mm


def verification_url(certificate: Certificate) -> str:
    """Return the public page that confirms `certificate` (its code in the query)."""
    path = reverse("public:certificate.verify", kwargs={"event": certificate.event.slug})
    return absolute_url(f"{path}?code={certificate.code}")


def render_certificates(certificates: list[Certificate], *, own_languages: bool = False) -> bytes:
    """Return one page per certificate, in the active language; with `own_languages` each
    in its registration's (the organiser's print of them all: attendees and their
    registrations selected with them)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    drawing.setup(canvas, title=_("Certificate of attendance"))
    for certificate in certificates:
        language = certificate.attendee.registration.language if own_languages else None
        with translation.override(language) if language else contextlib.nullcontext():
            _page(canvas, certificate)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas, certificate: Certificate) -> None:
    event = certificate.event
    organiser = event.organiser
    y = A4[1] - 55 * mm
    drawing.centred(canvas, CENTRE, y, _("Certificate of attendance"), 26, bold=True)
    y -= 24 * mm
    drawing.centred(canvas, CENTRE, y, _("This certifies that"), 12)
    y -= 14 * mm
    for line in drawing.wrap(certificate.name, 22, WIDTH, bold=True, max_lines=4):
        drawing.centred(canvas, CENTRE, y, line, 22, bold=True)
        y -= 26
    y -= 6 * mm
    drawing.centred(canvas, CENTRE, y, _("attended"), 12)
    y -= 12 * mm
    for line in drawing.wrap(event.t.name, 18, WIDTH, bold=True, max_lines=3):
        drawing.centred(canvas, CENTRE, y, line, 18, bold=True)
        y -= 22
    y -= 4 * mm
    hours = formats.number_format(certificate.hours, decimal_pos=1)
    details = _("on %(date)s, %(hours)s hours") % {
        "date": formats.date_format(event.date, "DATE_FORMAT"),
        "hours": hours,
    }
    drawing.centred(canvas, CENTRE, y, details, 12)
    if event.venue_id:
        for line in drawing.wrap(f"{event.venue.name}, {event.venue.city}", 12, WIDTH, max_lines=2):
            y -= 16
            drawing.centred(canvas, CENTRE, y, line, 12)
    y -= 16 * mm
    by = _("Organised by %(name)s") % {"name": organiser.name}
    for line in drawing.wrap(by, 12, WIDTH, max_lines=2):
        drawing.centred(canvas, CENTRE, y, line, 12)
        y -= 16
    url = verification_url(certificate)
    qr_size = 28 * mm
    drawing.qr(canvas, url, 25 * mm, 28 * mm, qr_size)
    drawing.text(
        canvas,
        60 * mm,
        48 * mm,
        _("Verification code: %(code)s") % {"code": certificate.code},
        11,
        bold=True,
    )
    drawing.text(canvas, 60 * mm, 42 * mm, _("Check this certificate at:"), 9)
    for index, line in enumerate(drawing.wrap(url, 8, A4[0] - 85 * mm)):
        drawing.text(canvas, 60 * mm, (37 - index * 4) * mm, line, 8)
