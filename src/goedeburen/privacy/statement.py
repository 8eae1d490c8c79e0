"""The privacy statement of an event: the organiser's current version, or the default text.

A statement is plain text in paragraphs (separated by an empty line); a paragraph that
starts with "## " is a heading. Both the default and the organiser's text may use the
placeholders of `PLACEHOLDERS` (`{{ organiser }}` …), filled from the settings when shown,
so the retention periods are never typed twice. The version shown is recorded with every
consent (`ConsentRecord.version` and the digest of the exact text).
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.events.models import Event
from goedeburen.payments import queries as payment_queries

from . import queries
from .models import INVOICE_RETENTION_YEARS

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

PLACEHOLDERS = {
    "organiser": gettext_lazy("the organiser's name (the controller)"),
    "contact_email": gettext_lazy("the event's contact address"),
    "special_category_days": gettext_lazy("days after the event until special-category data goes"),
    "anonymise_months": gettext_lazy("months after the event until attendees are anonymised"),
    "invoice_years": gettext_lazy("years invoices are kept (the law: 7)"),
    "processors": gettext_lazy("the processors (mail, payments), one per line"),
}


@dataclass(frozen=True)
class Statement:
    """A statement as shown: its version (0 is the default text), text and paragraphs."""

    version: int
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def blocks(self) -> list[tuple[str, str]]:
        """Return ("heading" | "paragraph", text) per block, for the template."""
        result = []
        for block in re.split(r"\n[ \t]*\n", self.text.replace("\r\n", "\n")):
            block = block.strip()
            if block.startswith("## "):
                result.append(("heading", block[3:].strip()))
            elif block:
                result.append(("paragraph", block))
        return result


def current(event: Event, *, language: str | None = None) -> Statement:
    """Return the statement shown now, in `language` (default: the active one)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        stored = queries.latest_statement(event)
        if stored is None:
            return Statement(0, fill(default_text(), event=event))
        text = stored.text_en if language == "en" and stored.text_en.strip() else stored.text_nl
        return Statement(stored.version, fill(text, event=event))


# Long enough to serve a registration rush from the cache; a change moves the version on.
SHOWN_AT_BOOKING_SECONDS = 3600


def shown_at_booking(event: Event, *, language: str) -> Statement:
    """Return `current(event, language=language)`, cached per version of the event.

    Every registration records the statement it was shown (`consents`); reading and
    filling it costs three queries, so the booking path takes it from the cache. Whatever
    fills it moves the event's version on (`privacy.versioning`).
    """
    version = event.updated.isoformat() if event.updated else ""
    key = f"privacy:statement:{event.pk}:{version}:{language}"
    found = cache.get(key)
    if found is None:
        found = current(event, language=language)
        cache.set(key, found, SHOWN_AT_BOOKING_SECONDS)
    return found


def fill(text: str, *, event: Event) -> str:
    """Return `text` with its placeholders filled in for `event`, in the active language."""
    values = values_for(event)
    return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def values_for(event: Event) -> dict[str, str]:
    privacy = queries.privacy_settings(event)
    return {
        "organiser": event.organiser.name,
        "contact_email": event.contact_email or event.organiser.email or "",
        "special_category_days": str(privacy.special_category_days),
        "anonymise_months": str(privacy.anonymise_months),
        "invoice_years": str(INVOICE_RETENTION_YEARS),
        "processors": "\n".join(f"- {line}" for line in processors(event)),
    }


def processors(event: Event) -> list[str]:
    """Return who processes personal data for the organiser, one line each."""
    lines = [
        _("the mail service that delivers our mail (only your address and the mail's text)"),
        _("the host of this website and its database, within the European Union"),
    ]
    if payment_queries.payment_settings(event).mollie_enabled:
        lines.append(_("Mollie B.V. (Amsterdam), for online payments"))
    return lines


def default_text() -> str:
    """Return the default statement with placeholders, in the active language."""
    return "\n\n".join(
        [
            "## " + _("Who is responsible"),
            _(
                "{{ organiser }} organises this event and is the controller of the personal "
                "data processed for it (AVG/GDPR). Questions: {{ contact_email }}."
            ),
            "## " + _("What we collect and why"),
            _(
                "When you register we ask for your name, email address, organisation and the "
                "role in which you attend, to run the event: your registration, invoice, name "
                "badge and the composition of the conversation groups."
            ),
            _(
                "Dietary wishes and accessibility needs are special-category data: they can "
                "say something about health or belief. We only ask for them with your "
                "explicit consent, only the staff who need them can see them, and they are "
                "erased {{ special_category_days }} days after the event."
            ),
            _(
                "Photos and films are only taken of people who agreed to it; the attendee "
                "list shows only those who agreed. You can attend without agreeing, and "
                "withdraw any consent on your personal page at any time."
            ),
            "## " + _("How long we keep it"),
            _(
                "{{ anonymise_months }} months after the event we anonymise the attendees: "
                "names, email addresses, organisations, answers and free texts are erased; "
                "only numbers for statistics remain. Invoices are kept for "
                "{{ invoice_years }} years, because the tax law requires it (art. 52 AWR), "
                "and then erased too."
            ),
            "## " + _("Who processes it for us"),
            "{{ processors }}",
            "## " + _("Your rights"),
            _(
                "You may see your data, correct it, take a copy (JSON or PDF) and have it "
                "erased: all through the personal link in your confirmation mail, or by "
                "asking us at {{ contact_email }}. You may object to the processing and "
                "complain to the Autoriteit Persoonsgegevens "
                "(autoriteitpersoonsgegevens.nl)."
            ),
            _("This site sets no tracking cookies."),
        ]
    )
