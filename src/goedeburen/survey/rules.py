"""Who may build the survey and read its results (django-rules, on the event)."""

import rules

from goedeburen.events.models import Role
from goedeburen.events.rules import has_role, is_superuser

rules.add_perm("survey.change_survey", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm("survey.view_results", is_superuser | has_role(Role.OWNER, Role.EDITOR))
