"""The day's lists as PDF: a title, then one row per person (name, organisation), with an
empty tick box for the door; or the caterer's counts."""

import io

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from . import drawing

LEFT, RIGHT = 18 * mm, A4[0] - 18 * mm
TOP, BOTTOM = A4[1] - 20 * mm, 18 * mm
ROW = 16
BOX = 3.6 * mm


def render_list(
    *, title: str, event, rows: list[tuple[str, ...]], headers: list[str], tick: bool = False
) -> bytes:
    """Return a list with `headers` and `rows` (texts), paginated, a tick box per row when
    `tick` (the door list)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    drawing.setup(canvas, title=f"{title} – {event.t.name}")
    columns = _columns(len(headers), tick=tick)
    y = _head(canvas, title, event, headers, columns)
    for row in rows:
        if y < BOTTOM:
            canvas.showPage()
            y = _head(canvas, title, event, headers, columns)
        if tick:
            canvas.rect(LEFT, y - 1, BOX, BOX, stroke=1, fill=0)
        for value, x in zip(row, columns, strict=False):
            drawing.text(canvas, x, y, drawing.clip(value, 9.5, _room(columns, x)), 9.5)
        y -= ROW
    if not rows:
        drawing.text(canvas, LEFT, y, _("Nobody on this list yet."), 10)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _columns(count: int, *, tick: bool) -> list[float]:
    start = LEFT + (BOX + 3 * mm if tick else 0)
    step = (RIGHT - start) / max(count, 1)
    return [start + i * step for i in range(count)]


def _room(columns: list[float], x: float) -> float:
    index = columns.index(x)
    return (columns[index + 1] if index + 1 < len(columns) else RIGHT) - x - 2 * mm


def _head(canvas, title, event, headers, columns) -> float:
    drawing.text(canvas, LEFT, TOP, drawing.clip(title, 15, RIGHT - LEFT, bold=True), 15, bold=True)
    when = formats.date_format(event.date, "DATE_FORMAT")
    when = f" · {when}"
    name = drawing.clip(event.t.name, 10, RIGHT - LEFT - drawing.width(when, 10))
    drawing.text(canvas, LEFT, TOP - 18, name + when, 10)
    y = TOP - 42
    for header, x in zip(headers, columns, strict=False):
        header = drawing.clip(header, 9.5, _room(columns, x), bold=True)
        drawing.text(canvas, x, y, header, 9.5, bold=True)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT, y - 4, RIGHT, y - 4)
    return y - ROW - 2
