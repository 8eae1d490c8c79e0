"""Who reaches which back-office URL: generated from the URL configuration, held against one
declared table.

Every URL of the `backoffice` namespace must be in `DECLARED` with the permission its view
declares (`permission_required`, see `backoffice.permissions`); `HOLDERS` says which
identity holds which permission, written out here and not computed from `events.rules`.
Each URL is then requested (GET and POST) as every identity, with the real ids of two
organisers with two events each: nobody gets a 200 the table does not give them, nobody
the table gives it is refused, and nothing answers 500. A URL added without a line here
fails `test_every_backoffice_url_declares_its_permission`.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from goedeburen.events.models import Role
from goedeburen.matching.models import SessionHost
from tests.backoffice.conftest import (
    EVENT_URL_NAMES,
    World,
    backoffice_patterns,
    make_world,
    url,
    url_kwargs,
)
from tests.clients import StaffClient
from tests.factories import EventFactory, TeamMemberFactory, UserFactory

PUBLIC = "public"  # anyone, signed in or not (signing in, a new password, an invitation)
SIGNED_IN = "signed in"  # any signed-in user: their own account and work

# URL name -> the permission its view declares (and on which object).
DECLARED = {
    "login": (PUBLIC, None),
    "logout": (PUBLIC, None),
    "password_reset": (PUBLIC, None),
    "password_reset_done": (PUBLIC, None),
    "password_reset_complete": (PUBLIC, None),
    "password_reset_confirm": (PUBLIC, "token"),
    "invitation": (PUBLIC, "token"),
    "dashboard": (SIGNED_IN, "user"),
    "account": (SIGNED_IN, "user"),
    "account.leave": (SIGNED_IN, "user"),
    "two_factor.verify": (SIGNED_IN, "user"),
    "two_factor.setup": (SIGNED_IN, "user"),
    "two_factor.recovery_codes": (SIGNED_IN, "user"),
    "two_factor.remove": (SIGNED_IN, "user"),
    "event.create": ("events.add_event", "organiser"),
    "team.organiser": ("events.manage_organiser", "organiser"),
    "team.organiser_member": ("events.manage_organiser", "organiser"),
    "team.organiser_invitation_revoke": ("events.manage_organiser", "organiser"),
    "history.organiser": ("events.manage_organiser", "organiser"),
    "history.organiser_export": ("events.manage_organiser", "organiser"),
    "event.detail": ("events.view_event", "event"),
    "event.update": ("events.change_event", "event"),
    "event.status": ("events.publish_event", "event"),
    "team.event": ("events.manage_team", "event"),
    "team.event_member": ("events.manage_team", "event"),
    "team.event_invitation_revoke": ("events.manage_team", "event"),
    "history.event": ("events.view_history", "event"),
    "history.event_export": ("events.export_history", "event"),
    **{
        f"{part}.{action}": (
            "events.view_event" if action == "list" else "events.change_event",
            "event",
        )
        for part in ("partner", "item", "round", "session", "speaker", "project")
        for action in ("list", "create", "update", "delete")
    },
    "venue.list": ("events.view_event", "event"),
    **{
        name: ("events.change_venue", "event")
        for name in (
            "venue.create",
            "venue.update",
            "venue.delete",
            "room.create",
            "room.update",
            "room.delete",
        )
    },
    **{
        f"question.{action}": ("events.change_event", "event")
        for action in ("list", "create", "update", "delete")
    },
    **{
        f"{part}.{action}": ("events.change_event", "event")
        for part in ("ticket_type", "quota")
        for action in ("list", "create", "update", "delete")
    },
    "registration.list": ("registration.view_registrations", "event"),
    "registration.detail": ("registration.view_registrations", "event"),
    "registration.update": ("registration.change_registration", "event"),
    "registration.approve": ("registration.change_registration", "event"),
    "registration.bulk": ("registration.change_registration", "event"),
    "registration.reject": ("registration.change_registration", "event"),
    "registration.cancel": ("registration.change_registration", "event"),
    "registration.cancel_attendee": ("registration.change_registration", "event"),
    "registration.substitute": ("registration.change_registration", "event"),
    "registration.resend_link": ("registration.change_registration", "event"),
    "attendee.list": ("registration.view_attendees", "event"),
    "attendee.export": ("registration.view_attendees", "event"),
    "registration.export": ("registration.view_registrations", "event"),
    "capacity": ("registration.view_capacity", "event"),
    "target_mix": ("events.change_event", "event"),
    "waiting_list": ("registration.view_registrations", "event"),
    "waiting_list.offer": ("registration.change_registration", "event"),
    **{
        name: ("events.change_event", "event")
        for name in (
            "mail.list",
            "mail.retry",
            "mail.cancel",
            "mail.settings",
            "mail_template.list",
            "mail_template.update",
            "mailing.list",
            "mailing.create",
            "mailing.detail",
            "mailing.update",
            "mailing.delete",
        )
    },
    **{
        f"assignment.{name}": ("matching.run_assignment", "event")
        for name in ("list", "rules", "start", "pin", "hosts", "detail", "move", "publish")
    },
    "assignment.lists": ("matching.view_session_lists", "event"),
    "payment.overview": ("payments.view_payments", "event"),
    "payment.settings": ("payments.change_payments", "event"),
    "registration.payments": ("payments.view_payments", "event"),
    "registration.record_payment": ("payments.change_payments", "event"),
    "registration.refund": ("payments.change_payments", "event"),
    "registration.refund_settle": ("payments.change_payments", "event"),
    "registration.reissue_invoice": ("payments.change_payments", "event"),
    "invoice.list": ("payments.view_payments", "event"),
    "invoice.export": ("payments.view_payments", "event"),
    "invoice.pdf": ("payments.view_payments", "event"),
    "invoice.ubl": ("payments.view_payments", "event"),
    # The organiser's bank statements: every event's payers, names and IBANs.
    "bank.list": ("payments.view_bank", "organiser"),
    "bank.unmatched": ("payments.view_bank", "organiser"),
    "bank.statement": ("payments.view_bank", "organiser"),
    "bank.assign": ("payments.change_bank", "organiser"),
    "bank.dismiss": ("payments.change_bank", "organiser"),
    # The organiser's API tokens and webhooks: the organiser's owner.
    **{
        f"api.{name}": ("events.manage_organiser", "organiser")
        for name in ("tokens", "token_revoke", "webhooks", "webhook", "redeliver")
    },
    # The day itself.
    **{
        f"checkin.{name}": ("checkin.print_badges", "event")
        for name in ("alignment", "badges", "badges_pdf")
    },
    **{
        f"checkin.{name}": ("checkin.check_in_sessions", "event")
        for name in ("app", "data", "scans", "session_list", "session_export")
    },
    "checkin.badge": ("checkin.check_in", "event"),
    "checkin.walk_in": ("checkin.check_in", "event"),
    "checkin.caterer": ("checkin.view_caterer_list", "event"),
    "checkin.caterer_export": ("checkin.view_caterer_list", "event"),
    "checkin.conflicts": ("checkin.view_conflicts", "event"),
    "checkin.settings": ("checkin.change_settings", "event"),
    "checkin.certificates_pdf": ("checkin.change_settings", "event"),
    **{
        f"checkin.{name}": ("checkin.view_lists", "event")
        for name in ("door_list", "lists", "participant_list")
    },
    "registration.ticket_letter": ("registration.view_registrations", "event"),
    "registration.ticket_letters": ("registration.view_registrations", "event"),
    # Privacy and the evaluation survey.
    "privacy.settings": ("privacy.manage_privacy", "event"),
    "privacy.requests": ("privacy.erase_registration", "event"),
    "privacy.erase": ("privacy.erase_registration", "event"),
    "survey.build": ("survey.change_survey", "event"),
    "survey.results": ("survey.view_results", "event"),
    "survey.export": ("survey.view_results", "event"),
    # The lists' exports: each its list screen's permission; a preset and a file the worker
    # made are the user's (or their team's) own things, checked per object.
    "registration.export_form": ("registration.view_registrations", "event"),
    "attendee.export_form": ("registration.view_attendees", "event"),
    "payment.export": ("payments.view_payments", "event"),
    "payment.export_form": ("payments.view_payments", "event"),
    "invoice.export_form": ("payments.view_payments", "event"),
    "bank.export": ("payments.view_bank", "organiser"),
    "bank.export_form": ("payments.view_bank", "organiser"),
    "waiting_list.export": ("registration.view_registrations", "event"),
    "waiting_list.export_form": ("registration.view_registrations", "event"),
    "session_list.export": ("matching.view_session_lists", "event"),
    "session_list.export_form": ("matching.view_session_lists", "event"),
    **{
        f"export.{name}": (SIGNED_IN, "user")
        for name in ("job", "job_status", "job_download", "preset", "preset_delete")
    },
}

# The identities: organiser-level roles of organiser A, each event-level role on its event
# A1, the owner of its other event A2 only, and the owner of organiser B.
ORGANISER_IDENTITIES = {"organiser owner": Role.OWNER, "organiser finance": Role.FINANCE}
EVENT_IDENTITIES = {f"event {role.value}": role for role in Role}
IDENTITIES = [
    "anonymous",
    "other organiser's owner",
    "owner of the other event",
    *ORGANISER_IDENTITIES,
    *EVENT_IDENTITIES,
]
_EVERY_EVENT_ROLE = {"organiser owner", "organiser finance", *EVENT_IDENTITIES}
_OWNERS = {"organiser owner", "event owner"}
_DOOR = _OWNERS | {"event editor", "event registrations", "event checkin"}

# Permission -> the identities that hold it for event A1 (or organiser A): the table of
# docs/organiser-guide.md, written out.
HOLDERS = {
    "events.view_event": _EVERY_EVENT_ROLE,
    "events.change_event": _OWNERS | {"event editor"},
    "events.publish_event": _OWNERS,
    "events.change_venue": {"organiser owner"},
    "events.manage_team": _OWNERS,
    "events.view_history": _OWNERS | {"event editor"},
    "events.export_history": _OWNERS,
    "events.add_event": {"organiser owner"},
    "events.manage_organiser": {"organiser owner"},
    "registration.view_registrations": _OWNERS
    | {"organiser finance", "event editor", "event finance", "event registrations"},
    "registration.view_attendees": _OWNERS
    | {"organiser finance", "event editor", "event finance", "event registrations"}
    | {"event checkin"},
    "registration.change_registration": _OWNERS | {"event editor", "event registrations"},
    "registration.view_capacity": _EVERY_EVENT_ROLE,
    "matching.run_assignment": _OWNERS | {"event editor"},
    "matching.view_session_lists": _OWNERS | {"event editor", "event host"},
    "payments.view_payments": _OWNERS | {"organiser finance", "event finance"},
    "payments.change_payments": _OWNERS | {"organiser finance", "event finance"},
    "payments.view_bank": {"organiser owner", "organiser finance"},
    "payments.change_bank": {"organiser owner", "organiser finance"},
    "checkin.check_in": _DOOR,
    "checkin.print_badges": _DOOR,
    "checkin.view_lists": _DOOR,
    "checkin.check_in_sessions": _DOOR | {"event host"},
    "checkin.view_caterer_list": _OWNERS | {"event editor", "event registrations", "event caterer"},
    "checkin.view_conflicts": _OWNERS | {"event editor"},
    "checkin.change_settings": _OWNERS | {"event editor"},
    "privacy.manage_privacy": _OWNERS | {"event editor"},
    "privacy.erase_registration": _OWNERS | {"event editor", "event registrations"},
    "survey.change_survey": _OWNERS | {"event editor"},
    "survey.view_results": _OWNERS | {"event editor"},
}
# Organiser screens: a role for another event of the same organiser is still "on its team".
ORGANISER_SCREEN_VISIBLE_TO = _EVERY_EVENT_ROLE | {"owner of the other event"}


@dataclass
class Grid:
    """Two organisers with two events each, and a user per identity."""

    world: World  # organiser A, event A1: the URLs are built from it
    sibling: World  # organiser A, event A2
    other: World  # organiser B, event B1
    other_sibling: World  # organiser B, event B2
    users: dict
    sessions: dict  # identity -> session key, signed in with the second factor


@pytest.fixture(scope="module")
def grid(django_db_setup, django_db_blocker):
    """The grid, made once for this module in a transaction rolled back at its end; each test
    runs in a savepoint of it, and each request in a savepoint of that."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = make_world()
            sibling = make_world(organiser=world.organiser)
            other = make_world()
            other_sibling = make_world(organiser=other.organiser)
            users = {
                "other organiser's owner": other.owner,
                "owner of the other event": _member(world, Role.OWNER, event=sibling.event),
                "organiser owner": world.owner,
                "organiser finance": _member(world, Role.FINANCE),
            }
            for identity, role in EVENT_IDENTITIES.items():
                users[identity] = _member(world, role, event=world.event)
            # A host is the host of given sessions: of the world's session here.
            SessionHost.objects.create(session=world.session, user=users["event host"])
            sessions = {}
            for identity, user in users.items():
                client = StaffClient()
                client.force_login(user)
                sessions[identity] = client.cookies[settings.SESSION_COOKIE_NAME].value
            for source in (world, sibling, other, other_sibling):
                for name in backoffice_patterns():
                    url_kwargs(name, source)  # the objects behind every URL, made now
            yield Grid(world, sibling, other, other_sibling, users, sessions)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _member(world, role, *, event=None):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=event)
    return user


def _client(grid: Grid, identity: str) -> StaffClient:
    """Return a client with the identity's session (signed in once, for the whole module)."""
    client = StaffClient()
    if identity != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = grid.sessions[identity]
    return client


def _request(client, method: str, path: str):
    """Make one request in a savepoint that is rolled back, so no request changes the next."""
    with transaction.atomic():
        response = getattr(client, method)(path)
        transaction.set_rollback(True)
    return response


def _is_login_redirect(response) -> bool:
    login = reverse("backoffice:login")
    return response.status_code == 302 and response.url.startswith(f"{login}?next=")


def test_every_backoffice_url_declares_its_permission():
    undeclared = sorted(set(backoffice_patterns()) - set(DECLARED))
    assert undeclared == [], f"add these URL names to DECLARED in {__file__}"
    assert sorted(set(DECLARED) - set(backoffice_patterns())) == []


@pytest.mark.parametrize("name", sorted(backoffice_patterns()))
def test_view_declares_the_permission_of_the_table(name):
    _params, view_class = backoffice_patterns()[name]
    view = view_class()
    declared = (getattr(view, "permission_required", "missing"), view.permission_object)
    permission, target = DECLARED[name]
    expected = (None if permission in (PUBLIC, SIGNED_IN) else permission, target)
    assert declared == expected
    if permission not in (PUBLIC, SIGNED_IN):
        assert permission in HOLDERS


def _expected(name: str, identity: str) -> str:
    """Return "allowed", "refused" or "login" for one identity on one URL of event A1."""
    permission, _target = DECLARED[name]
    if permission == PUBLIC:
        return "allowed"
    if identity == "anonymous":
        return "login"
    if permission == SIGNED_IN:
        return "allowed"
    return "allowed" if identity in HOLDERS[permission] else "refused"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DECLARED))
def test_every_identity_gets_what_the_table_says(grid, name):
    path = url(name, grid.world)
    wrong = []
    for identity in IDENTITIES:
        expected = _expected(name, identity)
        for method in ("get", "post"):
            # A fresh client each time: signing out or a message must not carry over.
            response = _request(_client(grid, identity), method, path)
            status = response.status_code
            if expected == "login":
                ok = _is_login_redirect(response)
            elif expected == "refused":
                ok = status in (403, 404)
            else:
                # Allowed: the page, a redirect after an action, or "POST only"; a signed-in
                # user's own things may be "not found" when they are someone else's.
                refused = {403, 404} if DECLARED[name][0] not in (PUBLIC, SIGNED_IN) else {403}
                ok = status < 500 and status not in refused and not _is_login_redirect(response)
            if not ok:
                wrong.append(f"{method.upper()} as {identity}: {status} (expected {expected})")
    assert wrong == [], f"{path}:\n" + "\n".join(wrong)


def _objects_of(name: str) -> bool:
    params, _view = backoffice_patterns()[name]
    return bool(set(params) - {"event", "organiser", "format", "kind", "language"})


# Objects of the organiser itself, shared by its events: another event's address reaches them.
ORGANISER_OBJECTS = ("venue.", "room.", "bank.", "team.organiser", "account.", "two_factor.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    sorted(n for n in EVENT_URL_NAMES if _objects_of(n) and not n.startswith(ORGANISER_OBJECTS)),
)
def test_objects_of_another_event_are_not_found_through_this_one(grid, name):
    # The ids of event A2's (and organiser B's) objects under event A1's address, as the
    # organiser's owner, who may do everything to A1: every one is "not found" (or, for a
    # method the URL does not answer, refused before any object is looked up).
    client = _client(grid, "organiser owner")
    for source in (grid.sibling, grid.other):
        kwargs = {**url_kwargs(name, source), "event": grid.world.event.slug}
        path = reverse(f"backoffice:{name}", kwargs=kwargs)
        for method in ("get", "post"):
            assert _request(client, method, path).status_code in (404, 405), (method, path)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in sorted(DECLARED) if n in EVENT_URL_NAMES])
def test_other_organisers_event_is_not_found(grid, name):
    client = _client(grid, "organiser owner")
    path = url(name, grid.other)
    for method in ("get", "post"):
        assert _request(client, method, path).status_code == 404, (method, path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", [n for n, (_p, target) in sorted(DECLARED.items()) if target == "organiser"]
)
def test_organiser_screens_of_another_organiser_are_not_found(grid, name):
    # By its own address (/organisers/<B>/…, or an event of B for the bank statements).
    client = _client(grid, "organiser owner")
    path = url(name, grid.other)
    assert _request(client, "get", path).status_code == 404


def test_member_of_other_event_only_sees_nothing_of_this_one(client, db):
    world = make_world()
    other_event = EventFactory(organiser=world.organiser)
    client.force_login(_member(world, Role.OWNER, event=other_event))
    assert client.get(url("event.detail", world)).status_code == 404
    assert client.get(url("registration.list", world)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_logout_for_anonymous_visitor_redirects_to_login(client, db, method):
    response = getattr(client, method)(reverse("backoffice:logout"))
    assert (response.status_code, response.url) == (302, reverse("backoffice:login"))


def test_login_page_answers_anonymous_visitor(client, db):
    assert client.get(reverse("backoffice:login")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["update", "delete"])
@pytest.mark.parametrize(
    "part", ["partner", "item", "round", "session", "speaker", "project", "question"]
)
def test_part_of_other_event_of_same_organiser_is_not_found(owner_client, world, part, action):
    other = make_world(organiser=world.organiser)
    path = reverse(
        f"backoffice:{part}.{action}",
        kwargs={"event": world.event.slug, "pk": getattr(other, part).pk},
    )
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["venue.update", "venue.delete", "room.update", "room.delete"])
def test_venue_of_other_organiser_is_not_found(owner_client, world, other_world, name):
    pk = (other_world.venue if name.startswith("venue") else other_world.room).pk
    path = reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, "pk": pk})
    assert owner_client.get(path).status_code == 404


@pytest.mark.django_db
def test_room_in_venue_of_other_organiser_is_not_found(owner_client, world, other_world):
    path = reverse(
        "backoffice:room.create", kwargs={"event": world.event.slug, "venue": other_world.venue.pk}
    )
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path, {"name": "Zaal", "capacity": "5"}).status_code == 404
    assert other_world.venue.rooms.count() == 1


@pytest.mark.django_db
def test_dashboard_lists_only_the_users_events(owner_client, world, other_world):
    response = owner_client.get(reverse("backoffice:dashboard"))
    assert list(response.context["events"]) == [world.event]
    assert list(response.context["organisers"]) == [world.organiser]


@pytest.mark.django_db
def test_status_change_by_get_is_not_allowed(owner_client, world):
    assert owner_client.get(url("event.status", world)).status_code == 405
