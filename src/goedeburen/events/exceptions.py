from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class EventError(DomainError):
    """A request the events domain refuses, with a user-safe, translated message."""


PUBLISH_INCOMPLETE = _(
    "An event needs a venue and at least one programme item or round before it is published."
)
INVALID_TRANSITION = _("An event cannot go from “%(from)s” to “%(to)s”.")
NOT_PART_OF_EVENT = _("This does not belong to the event or organiser you are working on.")
VENUE_IN_USE = _("This venue cannot be deleted while an event takes place there.")
UNKNOWN_ROLE = _("Choose one of the roles.")
ROLE_NEEDS_EVENT = _("Only owner and finance can be given for all events; choose an event.")
LAST_OWNER = _("The organiser needs at least one owner: make someone else owner first.")
ROLE_HELD = _("This person already has that role.")
NOT_YOUR_ROLE = _("You can only leave a role of your own.")
INVITATION_USED = _("This invitation has already been used or withdrawn.")
INVITATION_EXPIRED = _("This invitation has expired; ask for a new one.")
INVITATION_OTHER_ADDRESS = _(
    "This invitation is for another e-mail address. Sign in with the account of that address."
)
USERNAME_TAKEN = _("This user name is taken; choose another.")
ACCOUNT_EXISTS = _(
    "There is already an account with this e-mail address. Sign in with it to accept the "
    "invitation."
)
