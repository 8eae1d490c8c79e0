"""Drive the public registration form as a browser without JavaScript would."""

import re

from django.urls import reverse
from django.utils import translation


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def form_token(client, event, *, language: str = "en") -> str:
    html = client.get(url("public:registration.start", event.slug, language=language))
    match = re.search(r'name="form_token" value="([^"]+)"', html.content.decode())
    return match.group(1)


def form_data(client, event, ticket_types, **overrides) -> dict:
    """Return a valid submission of the form for one attendee per ticket type."""
    data = {
        "form_token": form_token(client, event),
        "attendee_count": str(len(ticket_types)),
        "action": "register",
        "booker-name": "Bea Boeker",
        "booker-email": "bea@example.org",
        "billing-organisation": "Woonstichting De Linde",
        "billing-address": "Lindelaan 1\n3701 AA Zeist",
    }
    for i, ticket_type in enumerate(ticket_types):
        data.update(
            {
                f"attendee-{i}-ticket_type": str(ticket_type.pk),
                f"attendee-{i}-given_name": f"Ada{i}",
                f"attendee-{i}-family_name": "de Vries",
                f"attendee-{i}-role": "municipality",
                f"attendee-{i}-badge_name": "full",
            }
        )
    data.update(overrides)
    return data


def manage_link(html: str) -> str:
    """Return the path of the secret manage link on a confirmation page."""
    return re.search(r'href="https?://[^/"]+(/[^"]*/manage/[^"]+)"', html).group(1)
