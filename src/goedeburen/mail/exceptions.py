"""The one error the mail domain raises: a translated, user-safe message and a code."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class MailError(DomainError):
    """A change to the outbox the domain refuses; `message` may be shown as it is.

    Codes: not_retryable, not_cancellable, nothing_to_render, someone_else, not_confirmed.
    """


NOT_RETRYABLE = _("Only a failed or cancelled mail can be sent again.")
NOT_CANCELLABLE = _("Only a queued or failed mail can be cancelled.")
NOTHING_TO_RENDER = _("The registration this mail was about no longer exists.")
SOMEONE_ELSE = _(
    "Someone else goes instead of this attendee now: this mail was for the person before."
)
NOT_CONFIRMED = _(
    "The registration is no longer confirmed (cancelled, for example): the ticket this mail "
    "was to carry is no longer valid."
)
