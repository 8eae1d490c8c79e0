"""The one error the check-in domain raises: a translated, user-safe message and a code."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class CheckinError(DomainError):
    """A request the check-in domain refuses; `message` may be shown as it is.

    Codes: refused (with the `Refusal` as `reason`), undo_too_late, undo_other_device,
    not_checked_in, wrong_session, bad_scan, badge_closed, walk_in, certificates_off.
    """

    def __init__(self, message, *, code: str, reason: str = ""):
        super().__init__(message, code=code)
        self.reason = reason


UNDO_TOO_LATE = _("This check-in is more than 15 minutes old; an owner of the event can undo it.")
UNDO_OTHER_DEVICE = _(
    "Only the device that checked this person in, or an owner of the event, can undo it."
)
NOT_CHECKED_IN = _("This person is not checked in (any more).")
WRONG_SESSION = _("That session is not part of this event's programme.")
BAD_SCAN = _("This scan could not be read; scan again.")
BADGE_CLOSED = _("Badges are being printed: the badge can no longer be changed.")
CERTIFICATES_OFF = _("Certificates of attendance are switched off for this event.")
NOT_AFTER_START = _("Certificates can be issued once the event has started.")
