"""Who may do what: django-rules predicates on team roles, at two levels.

- **Organiser level** (a `TeamMember` without event, `ORGANISER_ROLES`): the organiser's
  owner (legal and bank details, teams, every event as its owner) and finance (bank
  statements, every event's invoices and payments). Their object is the `Organiser`.
- **Event level**: owner, editor, finance, registrations (the secretariat), session host
  (of the sessions linked to them, `matching.SessionHost`), check-in and caterer. Their
  object is the `Event`; an organiser-level role counts as the same role on every event.

Registered as object permissions, so views ask `user.has_perm("events.change_event", event)`
and declare that permission and its object (see `backoffice.permissions`). The table of who
may do what is docs/organiser-guide.md; tests/backoffice/test_permission_table.py holds every
back-office URL against it.
"""

import rules
from django.db.models import Q

from .models import Event, Organiser, Role, TeamMember

# Roles whose work shows money or special-category data: their sessions end after 30
# minutes without activity (`backoffice.middleware`).
SENSITIVE_ROLES = frozenset({Role.OWNER, Role.EDITOR, Role.FINANCE, Role.REGISTRATIONS})


def _memberships(user) -> list[tuple[int, int | None, str]]:
    """Return (organiser id, event id or None, role) of every role of `user`, once a request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_team_roles", None)
    if cached is None:
        cached = user._team_roles = list(
            TeamMember.objects.filter(user=user).values_list("organiser_id", "event_id", "role")
        )
    return cached


def roles_for(user, event: Event | None) -> set[str]:
    """Return the user's roles for this event, organiser-wide ones included."""
    if event is None:
        return set()
    return {
        role
        for organiser_id, event_id, role in _memberships(user)
        if organiser_id == event.organiser_id and event_id in (None, event.pk)
    }


def organiser_roles_for(user, organiser: Organiser | None) -> set[str]:
    """Return the user's organiser-level roles (owner, finance) for `organiser`."""
    if organiser is None:
        return set()
    return {
        role
        for organiser_id, event_id, role in _memberships(user)
        if organiser_id == organiser.pk and event_id is None
    }


def is_on_team(user, organiser: Organiser) -> bool:
    """Tell whether the user has any role, for any event, of `organiser`."""
    return any(organiser_id == organiser.pk for organiser_id, _e, _r in _memberships(user))


def all_roles(user) -> set[str]:
    """Return every role the user has anywhere (for the session and second-factor rules)."""
    return {role for _o, _e, role in _memberships(user)}


def needs_second_factor(user) -> bool:
    """Tell whether the user must sign in with a second factor: an organiser's owner, or
    anyone with a finance role (at either level)."""
    return any(
        role == Role.FINANCE or (role == Role.OWNER and event_id is None)
        for _o, event_id, role in _memberships(user)
    )


def has_sensitive_role(user) -> bool:
    """Tell whether any role of the user sees money or special-category data."""
    return bool(all_roles(user) & SENSITIVE_ROLES)


def event_filter(event: Event) -> Q:
    """Return the filter of the team members who have a role for `event`."""
    return Q(organiser_id=event.organiser_id) & (Q(event__isnull=True) | Q(event=event))


def has_role(*wanted: str):
    """Return a predicate on an event: the user has one of these roles for it."""

    @rules.predicate(name=f"has_role({','.join(wanted)})")
    def predicate(user, event) -> bool:
        return bool(roles_for(user, event) & set(wanted))

    return predicate


def has_organiser_role(*wanted: str):
    """Return a predicate on an organiser: the user has one of these organiser-level roles."""

    @rules.predicate(name=f"has_organiser_role({','.join(wanted)})")
    def predicate(user, organiser) -> bool:
        return bool(organiser_roles_for(user, organiser) & set(wanted))

    return predicate


def has_organiser_role_for_event(*wanted: str):
    """Return a predicate on an event: the user has one of these roles for its organiser."""

    @rules.predicate(name=f"has_organiser_role_for_event({','.join(wanted)})")
    def predicate(user, event) -> bool:
        return event is not None and bool(organiser_roles_for(user, event.organiser) & set(wanted))

    return predicate


@rules.predicate
def is_team_member(user, event) -> bool:
    return bool(roles_for(user, event))


is_superuser = rules.is_superuser
is_organiser_owner = has_organiser_role(Role.OWNER)

# The event.
rules.add_perm("events.view_event", is_superuser | is_team_member)
rules.add_perm("events.change_event", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm("events.publish_event", is_superuser | has_role(Role.OWNER))
# Venues belong to the organiser and several events may share one: changing them takes the
# organiser's owner; the object is the event the screen is opened from.
rules.add_perm("events.change_venue", is_superuser | has_organiser_role_for_event(Role.OWNER))
# The event's team (invite, change and revoke its roles) and its history.
rules.add_perm("events.manage_team", is_superuser | has_role(Role.OWNER))
rules.add_perm("events.view_history", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm("events.export_history", is_superuser | has_role(Role.OWNER))

# The organiser: new events, the organiser-level team and the organiser-wide history.
rules.add_perm("events.add_event", is_superuser | is_organiser_owner)
rules.add_perm("events.manage_organiser", is_superuser | is_organiser_owner)

# Registrations hold personal data, so each role sees what its work needs and no more
# (DESIGN.md invariant 5; the table in docs/organiser-guide.md):
# - bookings (booker, billing, status, history): owner, editor, registrations and finance;
# - the attendee list with names only: those and check-in (finding people at the door);
#   session hosts get their own session's list with the assignment, not the whole event's;
# - the attending role, dietary wishes and accessibility needs: owner, editor and
#   registrations, who arrange approval, catering and access;
# - changing bookings (edit, approve, reject, cancel): owner, editor and registrations;
# - catering (counts of dietary wishes, no contact data): those and the caterer.
# Capacity figures hold no personal data: every role of the event sees them.
_REGISTRATION_ROLES = (Role.OWNER, Role.EDITOR, Role.REGISTRATIONS)
rules.add_perm(
    "registration.view_registrations",
    is_superuser | has_role(*_REGISTRATION_ROLES, Role.FINANCE),
)
rules.add_perm(
    "registration.view_attendees",
    is_superuser | has_role(*_REGISTRATION_ROLES, Role.FINANCE, Role.CHECKIN),
)
rules.add_perm("registration.view_special_category", is_superuser | has_role(*_REGISTRATION_ROLES))
rules.add_perm("registration.change_registration", is_superuser | has_role(*_REGISTRATION_ROLES))
rules.add_perm(
    "registration.view_catering", is_superuser | has_role(*_REGISTRATION_ROLES, Role.CATERER)
)
rules.add_perm("registration.view_capacity", is_superuser | is_team_member)

# Payments and invoices: money and billing data are for the owner and finance only; an
# invoice is reached only through the booker's secret link or with one of these roles.
rules.add_perm("payments.view_payments", is_superuser | has_role(Role.OWNER, Role.FINANCE))
rules.add_perm("payments.change_payments", is_superuser | has_role(Role.OWNER, Role.FINANCE))
# The organiser's own: its legal and bank details (printed on every event's invoices and
# transfer instructions) for its owner; its bank statements, with every payer's name and IBAN,
# for its owner and finance. Their object is the organiser.
rules.add_perm("payments.change_billing", is_superuser | is_organiser_owner)
rules.add_perm("payments.view_bank", is_superuser | has_organiser_role(Role.OWNER, Role.FINANCE))
rules.add_perm("payments.change_bank", is_superuser | has_organiser_role(Role.OWNER, Role.FINANCE))
