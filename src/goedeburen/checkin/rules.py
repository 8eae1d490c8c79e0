"""Who may do what at the door and with the day's lists (django-rules, like `events.rules`).

- Checking in (the phone app, walk-ins, one badge on demand): owner, editor, the
  secretariat (registrations) and check-in.
  The check-in role sees names, organisations and sessions, never money, the attending
  role or special-category data; accessibility needs show only for owner and editor
  (`registration.view_special_category`).
- Checking into a session: those, and a session host for their own sessions (the view
  narrows hosts to their `matching.SessionHost` rows).
- Badges, the door list and the attendee list for participants: owner, editor, check-in.
- The caterer list (counts of dietary wishes, names only with consent): owner, editor, the
  secretariat and the caterer role, which sees nothing else of the event.
- Undo of anyone's check-in at any time, the conflict list, settings and certificates:
  owner (and editor for settings and certificates).
"""

import rules

from goedeburen.events.models import Role
from goedeburen.events.rules import has_role, is_superuser

# The secretariat (registrations) stands at the door too.
DOOR = (Role.OWNER, Role.EDITOR, Role.REGISTRATIONS, Role.CHECKIN)

rules.add_perm("checkin.check_in", is_superuser | has_role(*DOOR))
rules.add_perm("checkin.check_in_sessions", is_superuser | has_role(*DOOR, Role.HOST))
rules.add_perm("checkin.check_in_all_sessions", is_superuser | has_role(*DOOR))
rules.add_perm("checkin.print_badges", is_superuser | has_role(*DOOR))
rules.add_perm("checkin.view_lists", is_superuser | has_role(*DOOR))
rules.add_perm(
    "checkin.view_caterer_list",
    is_superuser | has_role(Role.OWNER, Role.EDITOR, Role.REGISTRATIONS, Role.CATERER),
)
rules.add_perm("checkin.undo_any", is_superuser | has_role(Role.OWNER))
rules.add_perm("checkin.view_conflicts", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm("checkin.change_settings", is_superuser | has_role(Role.OWNER, Role.EDITOR))
