"""Turn a kind of mail and its placeholder values into a subject, a text body and an HTML body.

Two sources of text. The defaults are Django templates in `mail/templates/mail/<kind>.txt`
and `.html`, one pair for every kind (a new kind needs only its pair, and a subject in
`SUBJECTS` or a `mail/<kind>.subject.txt`). The HTML is autoescaped like every Django
template, so a name such as `<script>` arrives as text; the text templates switch
autoescaping off (`mail/base.txt`), since escaping there would only garble names. The
organiser's own texts (`MailTemplate`, a `Mailing`) are plain text with placeholders, put
into the layout of `mail/custom.*` by `render_custom`: every value is escaped in the HTML and
nothing but `{{ name }}` has a meaning. Render inside `translation.override(language)`.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from goedeburen.common import crypto

from .enums import MailKind
from .placeholders import PLACEHOLDER

SUBJECTS = {
    MailKind.CONFIRMATION: _("Your registration %(code)s for %(event)s"),
    MailKind.AWAITING_APPROVAL: _("We received your registration %(code)s for %(event)s"),
    MailKind.APPROVED: _("Your registration %(code)s for %(event)s is approved"),
    MailKind.REJECTED: _("About your registration %(code)s for %(event)s"),
    MailKind.MANAGE_LINK: _("Your link to registration %(code)s for %(event)s"),
    MailKind.CANCELLATION: _("Your registration %(code)s for %(event)s is cancelled"),
    MailKind.ATTENDEE_CANCELLED: _("Change in your registration %(code)s for %(event)s"),
    MailKind.SUBSTITUTE: _("You are going to %(event)s"),
    MailKind.REPLACED: _("You are no longer going to %(event)s"),
    MailKind.SUBSTITUTE_TICKET: _("Your ticket for %(event)s"),
    MailKind.BOOKER_REPLACED: _("Someone else goes to %(event)s in your place"),
    MailKind.WAITING_LIST_OFFER: _("A place for you at %(event)s"),
    MailKind.PAYMENT_RECEIVED: _("Payment received for registration %(code)s"),
    MailKind.PAYMENT_AFTER_CANCELLATION: _("Your payment for the cancelled registration %(code)s"),
    MailKind.PAYMENT_REMINDER: _("Reminder: payment for registration %(code)s for %(event)s"),
    MailKind.REFUND_MADE: _("Money paid back for registration %(code)s"),
    MailKind.INVOICE: _("Invoice for registration %(code)s for %(event)s"),
    MailKind.PRACTICAL_INFO: _("Practical information for %(event)s"),
    MailKind.PERSONAL_PROGRAMME: _("Your programme for %(event)s"),
    MailKind.THANK_YOU: _("Thank you for taking part in %(event)s"),
    MailKind.SURVEY_REMINDER: _("Reminder: how did you find %(event)s?"),
}

_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render_default(kind: str, *, values: dict, extra: dict | None = None) -> RenderedMail:
    """Return the default `kind` mail with these placeholder `values` in the active language.

    `extra` holds what only the templates' conditions read (a cancellation's reason).
    """
    subject = _one_line(default_subject(kind) % {"code": values.get("code", ""), **values})
    context = {**(extra or {}), **values, "subject": subject}
    text = render_to_string(f"mail/{kind}.txt", context)
    html = render_to_string(f"mail/{kind}.html", context)
    return RenderedMail(subject=subject, text=_tidy(text), html=html.strip() + "\n")


def default_subject(kind: str) -> str:
    """Return the default subject of `kind`, with `%(code)s` and `%(event)s` to fill in."""
    if kind in SUBJECTS:
        return str(SUBJECTS[kind])
    try:
        return render_to_string(f"mail/{kind}.subject.txt").strip()
    except TemplateDoesNotExist:
        label = MailKind(kind).label if kind in MailKind.values else kind
        return f"{label}: %(event)s"


def render_custom(subject: str, body: str, *, values: dict) -> RenderedMail:
    """Return an organiser's plain text with placeholders, as a mail in the site's layout."""

    def text_of(match) -> str:
        return values.get(match[1], "")

    def html_of(name: str) -> str:
        value = values.get(name, "")
        if name.endswith("_url") and value:
            return format_html('<a href="{}">{}</a>', value, value)
        return escape(value)

    subject = _one_line(PLACEHOLDER.sub(text_of, subject))
    text_body = PLACEHOLDER.sub(text_of, body)
    pieces = PLACEHOLDER.split(body)
    # split() alternates literal text and placeholder names; both are escaped.
    html_body = "".join(
        escape(piece) if index % 2 == 0 else html_of(piece) for index, piece in enumerate(pieces)
    )
    paragraphs = [
        p.strip() for p in _PARAGRAPHS.split(html_body.replace("\r\n", "\n")) if p.strip()
    ]
    content = mark_safe(  # noqa: S308 - every piece above was escaped or built by format_html
        "\n".join(f"<p>{p.replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs)
    )
    context = {**values, "subject": subject}
    text = render_to_string("mail/custom.txt", {**context, "content": text_body.strip()})
    html = render_to_string("mail/custom.html", {**context, "content": content})
    return RenderedMail(subject=subject, text=_tidy(text), html=html.strip() + "\n")


def _one_line(text: str) -> str:
    # A header must be one line; a value with a line break would make Django refuse the mail.
    return " ".join(text.split())


def _tidy(text: str) -> str:
    # Template tags leave blank lines behind; a paragraph break is one empty line.
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


# How a datetime travels in a mail's JSON context (`OutgoingMail.context`).
_DATETIME = "$datetime"
# How a secret travels there: sealed (`common.crypto`), never readable in the database.
_SEALED = "$sealed"
SECRET_KEYS = frozenset({"manage_token", "offer_token"})
SEAL_PURPOSE = "goedeburen.mail.outbox"


def pack_context(context: dict) -> dict:
    """Return `context` with its datetimes made JSON-able and its secrets (`SECRET_KEYS`)
    sealed (see `unpack_context`)."""
    packed = {}
    for key, value in context.items():
        if key in SECRET_KEYS and isinstance(value, str):
            value = {_SEALED: crypto.seal(value, purpose=SEAL_PURPOSE)}
        elif isinstance(value, dt.datetime):
            value = {_DATETIME: value.isoformat()}
        packed[key] = value
    return packed


def unpack_context(context: dict) -> dict:
    """Return a context stored by `pack_context` with its datetimes and secrets back.

    A secret that cannot be opened (the keys changed past their fallbacks) reads as "",
    so the mail goes out with the link to ask for a new one instead.
    """
    unpacked = {}
    for key, value in context.items():
        if isinstance(value, dict) and set(value) == {_DATETIME}:
            value = parse_datetime(value[_DATETIME])
        elif isinstance(value, dict) and set(value) == {_SEALED}:
            try:
                value = crypto.unseal(value[_SEALED], purpose=SEAL_PURPOSE)
            except crypto.Unsealable:
                value = ""
        unpacked[key] = value
    return unpacked
