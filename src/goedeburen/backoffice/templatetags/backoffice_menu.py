"""`{% event_menu %}`: the event's menu, which every event screen of the back office shows."""

import functools

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# The menu's entries that depend on a permission: (name in the template, permission, whether
# its object is the organiser rather than the event).
PERMISSIONS = (
    ("nav_questions", "events.change_event", False),
    ("nav_registrations", "registration.view_registrations", False),
    ("nav_attendees", "registration.view_attendees", False),
    ("nav_payments", "payments.view_payments", False),
    ("nav_bank", "payments.view_bank", True),
    ("nav_assignment", "matching.run_assignment", False),
    ("nav_lists", "matching.view_session_lists", False),
    ("nav_checkin", "checkin.check_in_sessions", False),
    ("nav_badges", "checkin.print_badges", False),
    ("nav_caterer", "checkin.view_caterer_list", False),
    ("nav_checkin_settings", "checkin.change_settings", False),
    ("nav_privacy", "privacy.manage_privacy", False),
    ("nav_erase", "privacy.erase_registration", False),
    ("nav_survey", "survey.change_survey", False),
    ("nav_results", "survey.view_results", False),
    ("nav_team", "events.manage_team", False),
    ("nav_history", "events.view_history", False),
)


@register.simple_tag(takes_context=True)
def event_menu(context) -> str:
    """Return the menu of `event` for `user`, with `section` marked as the current one.

    Its 37 links and 17 permission checks cost ~2 ms of CPU on every event screen. The
    permissions are checked on each request; the HTML, which depends on nothing but them,
    the event's slug, the section, the language and the URL prefix, is rendered once a
    process for each such key.
    """
    event, user = context["event"], context["user"]
    granted = tuple(
        user.has_perm(permission, event.organiser if of_organiser else event)
        for _name, permission, of_organiser in PERMISSIONS
    )
    return _menu(
        event.slug,
        context.get("section"),
        granted,
        get_language(),
        get_script_prefix(),
        get_urlconf(),
    )


@functools.lru_cache(maxsize=1024)
def _menu(slug: str, section, granted: tuple, language, prefix: str, urlconf) -> str:
    values = {name: may for (name, _p, _o), may in zip(PERMISSIONS, granted, strict=True)}
    html = render_to_string(
        "backoffice/includes/event_menu.html",
        {"event": {"slug": slug}, "section": section, **values},
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it
