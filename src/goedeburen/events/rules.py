"""Who may do what to an event: django-rules predicates on team roles.

Registered as object permissions, so views ask `user.has_perm("events.change_event", event)`.
"""

import rules

from .models import Event, Organiser, Role, TeamMember

# The caterer role (counts and diets only, no contact data) comes with the team screens;
# until `Role` has it, check-in's caterer list checks the role's value itself.
CATERER = getattr(Role, "CATERER", "caterer")


def roles_for(user, event: Event) -> set[str]:
    """Return the user's roles for this event, including organiser-wide ones."""
    if not user.is_authenticated or event is None:
        return set()
    cache = getattr(user, "_event_roles", None)
    if cache is None:
        cache = user._event_roles = {}
    if event.pk not in cache:
        cache[event.pk] = set(
            TeamMember.objects.filter(organiser_id=event.organiser_id, user=user)
            .filter(rules_event_filter(event))
            .values_list("role", flat=True)
        )
    return cache[event.pk]


def rules_event_filter(event: Event):
    from django.db.models import Q

    return Q(event__isnull=True) | Q(event=event)


def has_role(*wanted: str):
    @rules.predicate(name=f"has_role({','.join(wanted)})")
    def predicate(user, event) -> bool:
        return bool(roles_for(user, event) & set(wanted))

    return predicate


@rules.predicate
def is_organiser_owner(user, organiser: Organiser) -> bool:
    return (
        user.is_authenticated
        and organiser is not None
        and TeamMember.objects.filter(
            organiser=organiser, user=user, event__isnull=True, role=Role.OWNER
        ).exists()
    )


def has_organiser_role(*wanted: str):
    """Return a predicate: the user has one of these roles for all events of the organiser."""

    @rules.predicate(name=f"has_organiser_role({','.join(wanted)})")
    def predicate(user, event) -> bool:
        return (
            user.is_authenticated
            and event is not None
            and TeamMember.objects.filter(
                organiser_id=event.organiser_id, user=user, event__isnull=True, role__in=wanted
            ).exists()
        )

    return predicate


@rules.predicate
def is_team_member(user, event) -> bool:
    return bool(roles_for(user, event))


is_superuser = rules.is_superuser

rules.add_perm("events.view_event", is_superuser | is_team_member)
rules.add_perm("events.change_event", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm("events.publish_event", is_superuser | has_role(Role.OWNER))
rules.add_perm("events.add_event", is_superuser | is_organiser_owner)
# Venues belong to the organiser and several events may share one, so changing them takes
# an organiser-wide role; the object is the event the screen is opened from.
rules.add_perm("events.change_venue", is_superuser | has_organiser_role(Role.OWNER, Role.EDITOR))

# Registrations hold personal data, so each role sees what its work needs and no more
# (DESIGN.md invariant 5; the table in docs/organiser-guide.md):
# - bookings (booker, billing, status, history): owner, editor and finance (invoices);
# - the attendee list with names only: those three and check-in (finding people at the door);
#   session hosts get their own session's list with the assignment, not the whole event's;
# - the attending role, dietary wishes and accessibility needs: owner and editor only, who
#   arrange the programme, approval, catering and access;
# - changing bookings: owner and editor.
# Capacity figures hold no personal data: every role of the event sees them.
rules.add_perm(
    "registration.view_registrations",
    is_superuser | has_role(Role.OWNER, Role.EDITOR, Role.FINANCE),
)
rules.add_perm(
    "registration.view_attendees",
    is_superuser | has_role(Role.OWNER, Role.EDITOR, Role.FINANCE, Role.CHECKIN),
)
rules.add_perm(
    "registration.view_special_category", is_superuser | has_role(Role.OWNER, Role.EDITOR)
)
rules.add_perm("registration.change_registration", is_superuser | has_role(Role.OWNER, Role.EDITOR))
rules.add_perm("registration.view_capacity", is_superuser | is_team_member)

# Payments and invoices: money and billing data are for the owner and finance only; an
# invoice is reached only through the booker's secret link or with one of these roles.
rules.add_perm("payments.view_payments", is_superuser | has_role(Role.OWNER, Role.FINANCE))
rules.add_perm("payments.change_payments", is_superuser | has_role(Role.OWNER, Role.FINANCE))
