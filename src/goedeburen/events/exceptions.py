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
