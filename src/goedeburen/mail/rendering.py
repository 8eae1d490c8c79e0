"""Turn a kind of mail and its context into a subject, a text body and an HTML body.

Templates live in `mail/templates/mail/<kind>.txt` and `.html`. The HTML is autoescaped like
every Django template, so a name such as `<script>` arrives as text; the text templates
switch autoescaping off (`mail/base.txt`), since escaping there would only garble names.
Render inside `translation.override(language)`: every string is translated then.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .enums import MailKind

SUBJECTS = {
    MailKind.CONFIRMATION: _("Your registration %(code)s for %(event)s"),
    MailKind.AWAITING_APPROVAL: _("We received your registration %(code)s for %(event)s"),
    MailKind.APPROVED: _("Your registration %(code)s for %(event)s is approved"),
    MailKind.REJECTED: _("About your registration %(code)s for %(event)s"),
    MailKind.MANAGE_LINK: _("Your link to registration %(code)s for %(event)s"),
    MailKind.CANCELLATION: _("Your registration %(code)s for %(event)s is cancelled"),
    MailKind.WAITING_LIST_OFFER: _("A place for you at %(event)s"),
    MailKind.PERSONAL_PROGRAMME: _("Your programme at %(event)s"),
}

_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render_mail(kind: str, *, context: dict, subject_values: dict) -> RenderedMail:
    """Return the `kind` mail rendered with `context` in the active language."""
    subject = str(SUBJECTS[MailKind(kind)]) % subject_values
    context = {"subject": subject, **context}
    text = render_to_string(f"mail/{kind}.txt", context)
    html = render_to_string(f"mail/{kind}.html", context)
    # A header must be one line; a value with a line break would make Django refuse the mail.
    return RenderedMail(
        subject=" ".join(subject.split()), text=_tidy(text), html=html.strip() + "\n"
    )


def absolute_url(path: str) -> str:
    """Return `path` on the site as the world reaches it (`SITE_URL`)."""
    return f"{settings.SITE_URL}{path}"


def _tidy(text: str) -> str:
    # Template tags leave blank lines behind; a paragraph break is one empty line.
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"
