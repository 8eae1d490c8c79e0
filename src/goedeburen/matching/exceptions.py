"""The one error the matching domain raises: a translated, user-safe message and a code."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class MatchingError(DomainError):
    """A change the matching domain refuses; `message` may be shown as it is.

    Codes: ranking_closed, not_attending, unknown_session, ranked_twice, wrong_round,
    run_not_done, wrong_session, busy, not_confirmed, rule_breaks.
    """


RANKING_CLOSED = _("Choosing sessions has closed for this event.")
NOT_ATTENDING = _(
    "Your choice was not saved. Only people who have a place at the event can choose sessions."
)
UNKNOWN_SESSION = _("That session is not part of this event's programme.")
RANKED_TWICE = _("You gave the same place to two sessions; give each session its own place.")
RANK_OUT_OF_RANGE = _("A place must be between 1 and the number of sessions of the round.")
WRONG_ROUND = _("That session belongs to another round.")
RUN_NOT_DONE = _("This run has not finished (or it failed), so it cannot be changed or published.")
RUN_HAS_UNPLACED = _(
    "Some participants could not be placed in this run; change the rules or the sessions "
    "and run again before publishing."
)
RUN_BUSY = _("A run of this event is still going; wait until it has finished.")
NOT_CONFIRMED = _("Only attendees of a confirmed registration can be pinned.")
NOT_A_HOST = _("Only a team member with the host role for this event can see a session's list.")
RUN_BREAKS_RULES = _(
    "This placement breaks the assignment rules. Confirm that you publish it anyway, or move "
    "people until the rule check is clean."
)
