"""Who may do what with privacy: object permissions on the event (django-rules).

Erasure requests, erasing and the consent records touch every person's data: owner and
editor, who also see special-category data. The statement and retention periods too.
"""

import rules

from goedeburen.events.models import Role
from goedeburen.events.rules import has_role, is_superuser

rules.add_perm("privacy.manage_privacy", is_superuser | has_role(Role.OWNER, Role.EDITOR))
# The secretariat takes erasure requests by phone, as it handles the registrations.
rules.add_perm(
    "privacy.erase_registration",
    is_superuser | has_role(Role.OWNER, Role.EDITOR, Role.REGISTRATIONS),
)
