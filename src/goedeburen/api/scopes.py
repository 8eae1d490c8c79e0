"""What a token may reach: scopes per resource group, and the person's own right on top.

A request needs both: the token's scope for the resource group, and the permission its
maker has on the event now (the same `rules` permissions as the back office). So a token
never sees more than the person who made it, and loses what that person loses.
"""

from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Organiser, Role, TeamMember

SCOPES = {
    "events:read": _("Events, programme, ticket types and quotas"),
    "registrations:read": _("Registrations, attendees and answers"),
    "registrations:write": _("Create and change registrations"),
    "special_category:read": _("Dietary wishes, accessibility needs and other sensitive answers"),
    "payments:read": _("Payments, invoices, credit notes and bank lines"),
    "mail:read": _("The outbox"),
    "matching:read": _("Assignment runs and the published placement"),
    "checkin:read": _("Check-ins"),
    "checkin:write": _("Check people in"),
    "survey:read": _("Survey results"),
}

# Resource group → the `rules` permission its maker needs on the event.
PERMISSIONS = {
    "events:read": "events.view_event",
    "registrations:read": "registration.view_registrations",
    "registrations:write": "registration.change_registration",
    "special_category:read": "registration.view_special_category",
    "payments:read": "payments.view_payments",
    "mail:read": "events.change_event",
    "matching:read": "events.change_event",
    "checkin:read": "checkin.view_lists",
    "checkin:write": "checkin.check_in",
    "survey:read": "survey.view_results",
}


def may_see_bank_lines(user, organiser: Organiser) -> bool:
    """Tell whether `user` may see the organiser's bank statements (an organiser-wide role)."""
    return (
        user.is_superuser
        or TeamMember.objects.filter(
            organiser=organiser, user=user, event__isnull=True, role__in=[Role.OWNER, Role.FINANCE]
        ).exists()
    )
