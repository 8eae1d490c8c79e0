"""The person's copy of every datum about their registration: JSON, and a readable PDF."""

import datetime as dt
import json
from io import BytesIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from goedeburen.common import pdf_fonts, personal_data
from goedeburen.common.audit import history
from goedeburen.common.logtypes import describe
from goedeburen.common.pdf_text import PlainText
from goedeburen.registration.models import Registration

from .. import queries

REGISTRATION_FIELDS = (
    "code",
    "status",
    "language",
    "booker_name",
    "email",
    "billing_organisation",
    "billing_address",
    "po_number",
    "billing_reference",
    "invoice_email",
    "billing_vat_number",
    "on_behalf_consent_at",
    "on_behalf_by",
    "created",
)
ATTENDEE_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "organisation",
    "function",
    "role",
    "badge_name",
    "photo_consent",
    "attendee_list_consent",
    "special_category_consent",
    "dietary_wishes",
    "accessibility_needs",
)


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def export_data(registration: Registration) -> dict:
    """Return everything the platform holds about `registration`, as JSON-able data."""
    attendees = list(
        registration.attendees.select_related("ticket_type").prefetch_related(
            "answers__question", "answers__options"
        )
    )
    data = {
        "event": {"name": registration.event.name_nl, "date": registration.event.date.isoformat()},
        "registration": {f: _plain(getattr(registration, f)) for f in REGISTRATION_FIELDS},
        "attendees": [
            {
                **{f: _plain(getattr(a, f)) for f in ATTENDEE_FIELDS},
                "ticket": a.ticket_type.name_nl,
                "answers": {
                    str(answer.question.label_nl): answer.shown for answer in a.answers.all()
                },
            }
            for a in attendees
        ],
        "consents": [
            {
                "kind": r.kind,
                "attendee": r.attendee_id,
                "given": r.given,
                "text_version": r.version,
                "text_digest": r.text_digest,
                "language": r.language,
                "where": r.source,
                "when": r.created.isoformat(),
            }
            for r in queries.consent_history(registration)
        ],
        "history": [
            {"when": entry.created.isoformat(), "what": describe(entry, show_sensitive=True)}
            for entry in history(registration).order_by("created", "pk")
        ],
    }
    for part in personal_data.parts():
        if part.export is not None:
            data[part.name] = part.export(registration)
    return data


def export_json(registration: Registration) -> bytes:
    """Return `export_data` as indented UTF-8 JSON."""
    return json.dumps(export_data(registration), indent=2, ensure_ascii=False).encode()


def export_pdf(registration: Registration) -> bytes:
    """Return `export_data` as a readable PDF in the registration's language."""
    with translation.override(registration.language):
        data = export_data(registration)
        regular, bold = pdf_fonts.register_fonts()
        # Plain texts drawn as the badges draw names (a Paragraph would leave Devanagari,
        # Thai, Bengali, Gurmukhi and Tamil unshaped: see `PlainText`).
        body = {"font": regular, "size": 9.5, "leading": 13}
        heading = {"font": bold, "size": 13, "leading": 17, "space_before": 6}
        story = [
            PlainText(
                _("Your data: registration %(code)s") % {"code": registration.code}, **heading
            ),
            PlainText(
                _("%(event)s. Made on %(date)s.")
                % {
                    "event": data["event"]["name"],
                    "date": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                },
                **body,
            ),
            Spacer(1, 4 * mm),
        ]

        def section(title: str, value) -> None:
            story.append(PlainText(title, **heading))
            for line in _lines(value):
                story.append(PlainText(line, **body))

        section(_("Registration"), data["registration"])
        for index, attendee in enumerate(data["attendees"], start=1):
            section(_("Attendee %(number)s") % {"number": index}, attendee)
        section(_("Consents"), data["consents"])
        section(_("History"), [f"{h['when']}: {h['what']}" for h in data["history"]])
        for part in personal_data.parts():
            if part.name in data:
                section(str(part.label), data[part.name])
        buffer = BytesIO()
        SimpleDocTemplate(
            buffer, pagesize=A4, title=_("Your data"), leftMargin=18 * mm, rightMargin=18 * mm
        ).build(story)
        return buffer.getvalue()


def _lines(value, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{prefix}{key}:")
                lines.extend(_lines(item, prefix + "    "))
            else:
                lines.append(f"{prefix}{key}: {_shown(item)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict | list):
                lines.extend(_lines(item, prefix))
                lines.append("")
            else:
                lines.append(f"{prefix}- {_shown(item)}")
        return [line for line in lines if line != ""] or [prefix + "—"]
    return [prefix + _shown(value)]


def _shown(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else str(value)
