"""The personal link to the survey: signed, bound to the current manage link like every
participant link (a renewed link or a cancellation ends it), and noted as a secret so the
outbox keeps it only sealed."""

import hashlib
import hmac

from django.core import signing

from goedeburen.common import secret_text
from goedeburen.registration.models import Attendee

SALT = "goedeburen.survey.link"


def _binding(attendee: Attendee) -> str:
    key = f"survey:{attendee.registration.manage_token_hash}".encode()
    return hashlib.sha256(key).hexdigest()[:16]


def survey_token(attendee: Attendee) -> str:
    """Return the token of `attendee`'s personal survey link."""
    token = signing.Signer(salt=SALT).sign_object([attendee.pk, _binding(attendee)], compress=True)
    secret_text.note(token)
    return token


def attendee_for(token: str, *, event) -> Attendee | None:
    """Return the attendee a survey link names, if it still holds (else None)."""
    try:
        attendee_id, binding = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    found = (
        Attendee.objects.select_related("registration")
        .filter(pk=attendee_id, registration__event=event)
        .first()
    )
    if found is None or not hmac.compare_digest(str(binding), _binding(found)):
        return None
    return found
