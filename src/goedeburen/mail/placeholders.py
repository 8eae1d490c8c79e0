"""The placeholders of mail templates: their names, what they mean, and their values.

Default templates (`mail/templates/mail/<kind>.txt/.html`, Django templates) and the
organiser's own texts (`MailTemplate`, plain text with `{{ name }}`) use the same names.
Every value is plain text (a URL is a string too); the HTML renderer escapes it. A value
that does not apply is "" (no invoice yet, no sessions assigned), and templates say
something sensible then.

Other domain apps fill in what only they know by registering a provider, e.g. payments:
`placeholders.register("invoice_url", _("Link to the invoice"), invoice_url_of)`. A provider
takes a `Source` and returns a string; one that raises is logged and gives "".
"""

import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core import signing
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from goedeburen.common import secret_text
from goedeburen.common.links import absolute_url
from goedeburen.common.money import euro
from goedeburen.events import queries as event_queries
from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee, Registration

from . import programme, queries

logger = logging.getLogger(__name__)

# `{{ name }}`, with or without spaces; anything else in an organiser's text is just text.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# The salts of the signed links in mails (one per purpose: a link for one cannot open another).
UNSUBSCRIBE_SALT = "goedeburen.mail.unsubscribe"
PARTICIPANT_SALT = "goedeburen.mail.participant"
ATTENDEE_SALT = "goedeburen.mail.attendee"


@dataclass
class Source:
    """What a placeholder's value is computed from."""

    event: Event
    registration: Registration | None = None
    # The attendee a mailing is addressed to; None for mails to the booker.
    attendee: Attendee | None = None
    recipient: str = ""
    # The mail's stored context (manage token, organiser's message, …).
    context: dict = field(default_factory=dict)


Provider = Callable[[Source], str]

_LABELS: dict[str, object] = {}
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, label, provider: Provider) -> None:
    """Add placeholder `name` (shown to organisers as `label`), or replace its provider."""
    _LABELS[name] = label
    _PROVIDERS[name] = provider


def names() -> list[str]:
    """Return every placeholder's name, in the order organisers see them."""
    return list(_LABELS)


def help_rows() -> list[tuple[str, str]]:
    """Return (`{{ name }}`, what it means) for every placeholder, in the active language."""
    return [(f"{{{{ {name} }}}}", str(label)) for name, label in _LABELS.items()]


def used_in(*texts: str) -> set[str]:
    """Return the names of the placeholders that `texts` use, plus those of the layout."""
    return {name for text in texts for name in PLACEHOLDER.findall(text)} | set(LAYOUT)


def unknown_in(text: str) -> list[str]:
    """Return the placeholders in `text` that do not exist, each once, in order."""
    found = dict.fromkeys(PLACEHOLDER.findall(text))
    return [name for name in found if name not in _PROVIDERS]


# What the layout of every mail shows besides the text (`mail/custom.*`, `mail/base.*`).
LAYOUT = ("event", "event_url", "contact_email", "unsubscribe_url", "privacy_url")


def values_for(source: Source, *, only=None) -> dict[str, str]:
    """Return every placeholder's value for `source` in the active language, or those in `only`.

    `only` saves the work (the programme, the publication's rules) for the placeholders an
    organiser's text does not use; a mailing to thousands renders much faster with it.
    """
    values = {}
    for name, provider in _PROVIDERS.items():
        if only is not None and name not in only:
            continue
        try:
            values[name] = str(provider(source) or "")
        except Exception:  # a broken provider must not stop the mail; its value stays empty
            logger.exception("Placeholder %s failed", name)
            values[name] = ""
    return values


def participant_token(registration: Registration) -> str:
    """Return the signed token of `registration`'s files (publication, calendar).

    The token is bound to the current manage link: it carries a fingerprint of the manage
    token's hash, so a renewed link (or a cancellation, see `registration_for_participant`)
    ends every participant link sent before. Rendering a mail notes the token as a secret
    (`common.secrets`), so the outbox keeps it only sealed.
    """
    # No time stamp: the link has no age limit (it ends with the manage link), and the same
    # registration gets the same link in every mail and on its page.
    token = signing.Signer(salt=PARTICIPANT_SALT).sign_object(
        [registration.code, _binding(registration)], compress=True
    )
    secret_text.note(token)
    return token


def registration_for_participant(event: Event, token: str) -> Registration | None:
    """Return the registration a participant link names, if the link still holds.

    None for a link that is not ours, of another event, of a cancelled registration, or
    made before the manage link was renewed.
    """
    try:
        code, binding = signing.Signer(salt=PARTICIPANT_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    found = Registration.objects.filter(event=event, code=code).first()
    if found is None or found.status == RegistrationStatus.CANCELLED:
        return None
    if not hmac.compare_digest(str(binding), _binding(found)):
        return None
    return found


def _binding(registration: Registration) -> str:
    # A fingerprint, not the hash itself: the link must not carry what the database holds.
    digest = hashlib.sha256(f"participant:{registration.manage_token_hash}".encode()).hexdigest()
    return digest[:16]


def attendee_token(attendee: Attendee) -> str:
    """Return the signed token of one attendee's own calendar link (the colleague who goes
    instead of someone gets it: `MailKind.SUBSTITUTE`).

    The token is bound to the attendee's ticket secret, which a substitution renews: the
    link of the person who went before stops working. Rendering a mail notes it as a secret.
    """
    token = signing.Signer(salt=ATTENDEE_SALT).sign_object(
        [attendee.registration.code, attendee.pk, attendee_binding(attendee)], compress=True
    )
    secret_text.note(token)
    return token


def attendee_for_calendar(event: Event, token: str) -> Attendee | None:
    """Return the attendee an attendee's calendar link names, if the link still holds.

    None for a link that is not ours, of another event, of a cancelled registration or
    attendee, or made before someone else went instead (the ticket secret was renewed).
    """
    try:
        code, attendee_id, binding = signing.Signer(salt=ATTENDEE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    found = (
        Attendee.objects.select_related("registration__event__venue")
        .filter(pk=attendee_id, registration__event=event, registration__code=code)
        .exclude(registration__status=RegistrationStatus.CANCELLED)
        .first()
    )
    if found is None or not hmac.compare_digest(str(binding), attendee_binding(found)):
        return None
    return found


def attendee_calendar_owner(attendee: Attendee) -> str:
    """Return the owner of the UIDs in one attendee's own calendar file (for
    `events.calendar.personal_calendar`): theirs alone, apart from the booker's file and
    from the file of whoever held the place before."""
    return calendar_owner(
        code=attendee.registration.code, attendee_id=attendee.pk, binding=attendee_binding(attendee)
    )


def calendar_owner(*, code: str, attendee_id: int, binding: str) -> str:
    """Return the owner of the UIDs in the own calendar file of the person on one place
    (`attendee_id` of registration `code`) whose ticket secret has fingerprint `binding`."""
    return f"{code}-{attendee_id}-{binding[:8]}"


def attendee_binding(attendee: Attendee) -> str:
    """Return a fingerprint of the attendee's ticket secret (renewed when someone else goes
    instead), never the secret itself: it tells one person on the place from the next."""
    digest = hashlib.sha256(f"attendee-calendar:{attendee.ticket_secret}".encode()).hexdigest()
    return digest[:16]


def unsubscribe_token(event: Event, email: str) -> str:
    """Return the signed token of the link that opts `email` out of the event's other mail."""
    return signing.dumps([event.pk, email.lower()], salt=UNSUBSCRIBE_SALT, compress=True)


# The built-in placeholders ----------------------------------------------------------------


def _name(source: Source) -> str:
    if source.context.get("recipient_name"):
        # A mail to someone who is neither the booker nor an attendee now (the person
        # someone else goes instead of).
        return source.context["recipient_name"]
    if source.attendee is not None:
        return source.attendee.full_name
    if source.registration is not None:
        return source.registration.booker_name
    return source.context.get("name", "")


def _date(source: Source) -> str:
    return formats.date_format(source.event.date, "l j F Y")


def _time(source: Source) -> str:
    event = source.event
    return f"{event.start_time:%H:%M}–{event.end_time:%H:%M}"


def _venue(source: Source) -> str:
    venue = source.event.venue
    if venue is None:
        return ""
    return ", ".join(
        part for part in (venue.name, venue.street, venue.postal_code, venue.city) if part
    )


def _route(source: Source) -> str:
    venue = source.event.venue
    return venue.t.route if venue else ""


def _programme(source: Source) -> str:
    return "\n".join(
        f"{slot.start:%H:%M}–{slot.end:%H:%M} {slot.obj.t.title}"
        for slot in event_queries.timetable(source.event)
    )


def _attendees(source: Source) -> str:
    if source.registration is None:
        return ""
    # A mail to one attendee (a mailing to attendees, a colleague's ticket) names only them:
    # the booking's other people and their tickets (a resident's marks them) are not theirs.
    found = source.registration.attendees.all()
    if source.attendee is not None:
        found = [a for a in found if a.pk == source.attendee.pk]
    return "\n".join(
        f"- {attendee.full_name} ({attendee.ticket_type.t.name})" for attendee in found
    )


def _total(source: Source) -> str:
    registration = source.registration
    return euro(registration.total) if registration is not None else ""


def _payment_details(source: Source) -> str:
    # The payments app replaces this with the real state of the payment and how to pay.
    registration = source.registration
    if registration is None:
        return ""
    total = registration.total
    if not total:
        return gettext("There is nothing to pay.")
    if registration.status == RegistrationStatus.PENDING_PAYMENT:
        return gettext("Amount due: %(total)s incl. VAT.") % {"total": euro(total)}
    return gettext("Total: %(total)s incl. VAT.") % {"total": euro(total)}


def _manage_url(source: Source) -> str:
    registration, token = source.registration, source.context.get("manage_token")
    if registration is not None and token:
        secret_text.note(token)
        kwargs = {"event": source.event.slug, "code": registration.code, "token": token}
        return absolute_url(reverse("public:registration.manage", kwargs=kwargs))
    # Only the booker's first mail has the secret; later ones point to where it is sent again.
    return absolute_url(reverse("public:registration.link", kwargs={"event": source.event.slug}))


def _offer_url(source: Source) -> str:
    registration, token = source.registration, source.context.get("offer_token")
    if registration is None or not token:
        return ""
    secret_text.note(token)
    kwargs = {"event": source.event.slug, "code": registration.code, "token": token}
    return absolute_url(reverse("public:registration.offer", kwargs=kwargs))


def _offer_until(source: Source) -> str:
    expires = source.context.get("expires")
    if not expires:
        return ""
    return formats.date_format(timezone.localtime(expires), "l j F Y, H:i")


def _event_url(source: Source) -> str:
    return absolute_url(source.event.get_absolute_url())


def _calendar_url(source: Source) -> str:
    if source.attendee is not None:
        # A mail to one attendee links to their own file, not to the booker's.
        kwargs = {"event": source.event.slug, "token": attendee_token(source.attendee)}
        return absolute_url(reverse("public:attendee.calendar", kwargs=kwargs))
    if source.registration is not None:
        return _participant_url(source, "public:participant.calendar")
    return absolute_url(reverse("public:event.calendar", kwargs={"event": source.event.slug}))


def _participant_url(source: Source, name: str) -> str:
    kwargs = {"event": source.event.slug, "token": participant_token(source.registration)}
    return absolute_url(reverse(name, kwargs=kwargs))


def _publication_url(source: Source) -> str:
    if source.registration is None or not queries.gets_publication(source.registration):
        return ""
    return _participant_url(source, "public:participant.publication")


def _evaluation_url(source: Source) -> str:
    return queries.mail_settings(source.event).evaluation_url


def _unsubscribe_url(source: Source) -> str:
    if not source.recipient:
        return ""
    token = unsubscribe_token(source.event, source.recipient)
    secret_text.note(token)
    return unsubscribe_url(source.event, source.recipient, token=token)


def unsubscribe_url(event: Event, email: str, *, token: str = "") -> str:
    """Return the absolute address of the page that opts `email` out of the event's other
    mail (GET asks, POST opts out, also as an RFC 8058 one-click POST)."""
    kwargs = {"event": event.slug, "token": token or unsubscribe_token(event, email)}
    return absolute_url(reverse("public:mail.unsubscribe", kwargs=kwargs))


def _personal_programme(source: Source) -> str:
    if source.registration is None:
        return ""
    return programme.as_text(programme.entries_for(source.registration, attendee=source.attendee))


def _context(key: str) -> Provider:
    return lambda source: source.context.get(key, "")


for _name_, _label, _provider in [
    ("name", _("the name of the person the mail is to"), _name),
    ("code", _("the registration code"), lambda s: s.registration.code if s.registration else ""),
    (
        "status",
        _("the status of the registration"),
        lambda s: s.registration.get_status_display() if s.registration else "",
    ),
    ("event", _("the name of the event"), lambda s: s.event.t.name),
    ("date", _("the date of the event"), _date),
    ("time", _("the start and end time"), _time),
    ("venue", _("the venue and its address"), _venue),
    ("route", _("the route to the venue"), _route),
    ("programme", _("the programme, one line per part"), _programme),
    ("attendees", _("the attendees of the registration and their tickets"), _attendees),
    ("total", _("the total price incl. VAT"), _total),
    ("payment_details", _("what there is to pay, or that it is paid"), _payment_details),
    (
        "amount",
        _(
            "the amount the mail is about: a payment for a cancelled registration, a "
            "cancelled ticket, or a refund"
        ),
        _context("amount"),
    ),
    ("invoice_url", _("the link to the invoice (once there is one)"), lambda s: ""),
    ("manage_url", _("the link to the registration (or to ask for it)"), _manage_url),
    (
        "personal_programme",
        _("the participant's own sessions and rooms (once assigned)"),
        _personal_programme,
    ),
    ("calendar_url", _("the link to the calendar file"), _calendar_url),
    (
        "publication_url",
        _("the link to the publication (when their ticket includes it)"),
        _publication_url,
    ),
    ("evaluation_url", _("the link to the evaluation survey"), _evaluation_url),
    ("event_url", _("the link to the event's website"), _event_url),
    (
        "privacy_url",
        _("the link to the event's privacy statement"),
        lambda s: absolute_url(reverse("public:event.privacy", kwargs={"event": s.event.slug})),
    ),
    ("contact_email", _("the secretariat's address"), lambda s: s.event.contact_email),
    ("message", _("the organiser's message with an approval or rejection"), _context("message")),
    ("offer_url", _("the link to take an offered place"), _offer_url),
    ("offer_until", _("until when an offered place is kept"), _offer_until),
    ("unsubscribe_url", _("the link to opt out of non-essential mail"), _unsubscribe_url),
]:
    register(_name_, _label, _provider)
