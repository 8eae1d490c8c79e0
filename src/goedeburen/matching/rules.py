"""Who may run and see the assignment (django-rules, like `events.rules`).

Running, moving and publishing change what every participant gets: owner and editor.
Session lists hold names: those two see every session's, a session host only their own
(the view narrows it to `SessionHost` rows of the user).
"""

import rules

from goedeburen.events.models import Role
from goedeburen.events.rules import has_role, is_superuser

rules.add_perm("matching.run_assignment", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm(
    "matching.view_session_lists", is_superuser | has_role(Role.OWNER, Role.EDITOR, Role.HOST)
)
rules.add_perm("matching.view_all_session_lists", is_superuser | has_role(Role.OWNER, Role.EDITOR))
