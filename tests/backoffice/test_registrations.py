"""The registration screens: who sees what, search, filters, sort, paging and capacity."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from goedeburen.common.audit import log_action
from goedeburen.events.models import Role
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.services import change_registration
from tests.backoffice.conftest import REGISTRATION_SCREENS, url
from tests.factories import (
    AttendeeFactory,
    QuotaFactory,
    RegistrationFactory,
    TeamMemberFactory,
    TicketTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALL_ROLES = [Role.OWNER, Role.EDITOR, Role.FINANCE, Role.HOST, Role.CHECKIN]
# Who reaches which registration screen (everyone else with a role gets a 403).
ALLOWED = {
    "registration.list": {Role.OWNER, Role.EDITOR, Role.FINANCE},
    "registration.detail": {Role.OWNER, Role.EDITOR, Role.FINANCE},
    "registration.update": {Role.OWNER, Role.EDITOR},
    "attendee.list": {Role.OWNER, Role.EDITOR, Role.FINANCE, Role.CHECKIN},
    "capacity": set(ALL_ROLES),
}
SPECIAL = {Role.OWNER, Role.EDITOR}
DIET = "Geen noten alstublieft"
ACCESS = "Rolstoeltoegankelijke plek"


def _member(world, role):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    return user


def _registration(world, *, code=None, status=RegistrationStatus.CONFIRMED, **attendee):
    values = {"event": world.event, "status": status}
    if code:
        values["code"] = code
    registration = RegistrationFactory(**values)
    AttendeeFactory(
        registration=registration,
        ticket_type=attendee.pop("ticket_type", world.ticket_type),
        **attendee,
    )
    return registration


def _codes(response) -> list[str]:
    return [registration.code for registration in response.context["object_list"]]


def test_every_registration_screen_has_a_rule():
    assert set(ALLOWED) == set(REGISTRATION_SCREENS)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", REGISTRATION_SCREENS)
def test_registration_screen_answers_only_roles_that_need_it(client, world, name, role):
    client.force_login(_member(world, role))
    expected = 200 if role in ALLOWED[name] else 403
    assert client.get(url(name, world)).status_code == expected


@pytest.mark.parametrize("name", ["registration.detail", "registration.update"])
def test_registration_of_other_event_is_not_found(owner_client, world, other_world, name):
    path = reverse(
        f"backoffice:{name}",
        kwargs={"event": world.event.slug, "code": other_world.registration.code},
    )
    assert owner_client.get(path).status_code == 404
    assert owner_client.post(path).status_code == 404


def test_unknown_code_is_not_found(owner_client, world):
    path = reverse(
        "backoffice:registration.detail", kwargs={"event": world.event.slug, "code": "NOPE"}
    )
    assert owner_client.get(path).status_code == 404


# --- privacy: the attending role, dietary wishes and accessibility needs ---------------------


@pytest.fixture
def sensitive(world):
    """The world's attendee as a resident with dietary wishes and accessibility needs."""
    attendee = world.attendee
    attendee.role = AttendingRole.RESIDENT
    attendee.special_category_consent = True
    attendee.dietary_wishes = DIET
    attendee.accessibility_needs = ACCESS
    attendee.email = "ada@example.org"
    attendee.save()
    return attendee


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", ["registration.list", "registration.detail", "attendee.list"])
def test_special_category_is_shown_only_to_owner_and_editor(client, world, sensitive, name, role):
    client.force_login(_member(world, role))
    response = client.get(url(name, world))
    if response.status_code == 403:
        assert role not in ALLOWED[name]
        return
    html = response.content.decode()
    shown = role in SPECIAL
    assert (gettext(AttendingRole.RESIDENT.label) in html) is shown
    assert (DIET in html) is (shown and name == "registration.detail")
    assert (ACCESS in html) is (shown and name == "registration.detail")
    if "form" in response.context:
        assert ("role" in response.context["form"].fields) is shown


@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE, Role.CHECKIN])
def test_attendee_list_shows_email_only_to_roles_that_see_bookings(client, world, sensitive, role):
    client.force_login(_member(world, role))
    html = client.get(url("attendee.list", world)).content.decode()
    assert ("ada@example.org" in html) is (role != Role.CHECKIN)
    assert world.attendee.full_name in html


@pytest.mark.parametrize("name", ["registration.list", "attendee.list"])
def test_role_filter_is_ignored_for_finance(client, world, sensitive, name):
    _registration(world, role=AttendingRole.MINISTRY)
    client.force_login(_member(world, Role.FINANCE))
    response = client.get(url(name, world), {"role": AttendingRole.RESIDENT})
    assert len(response.context["object_list"]) == 2


@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE, Role.CHECKIN])
def test_attendee_list_shows_and_filters_tickets_only_for_roles_that_see_bookings(
    client, world, sensitive, role
):
    # A resident's ticket (free, approved by the organiser) marks them as the role would.
    world.ticket_type.name_nl = world.ticket_type.name_en = "Bewoners (gratis)"
    world.ticket_type.save()
    _registration(world, ticket_type=TicketTypeFactory(event=world.event, name_nl="Dagkaart"))
    client.force_login(_member(world, role))
    resident_ticket = {"ticket_type": world.ticket_type.pk}

    response = client.get(url("attendee.list", world), resident_ticket)
    approval = client.get(url("attendee.list", world), {"approval": "yes"})

    sees_bookings = role != Role.CHECKIN
    assert ("Bewoners (gratis)" in response.content.decode()) is sees_bookings
    assert ("ticket_type" in response.context["form"].fields) is sees_bookings
    assert ("approval" in response.context["form"].fields) is sees_bookings
    assert len(response.context["object_list"]) == (1 if sees_bookings else 2)
    assert len(approval.context["object_list"]) == (0 if sees_bookings else 2)


@pytest.mark.parametrize("role", [Role.OWNER, Role.CHECKIN])
def test_badges_are_chosen_by_ticket_only_by_roles_that_see_bookings(client, world, role):
    client.force_login(_member(world, role))
    form = client.get(url("checkin.badges", world)).context["form"]
    assert ("ticket_type" in form.fields) is (role == Role.OWNER)


@pytest.mark.parametrize("role", [Role.OWNER, Role.CHECKIN])
def test_check_in_role_sees_awaiting_approval_only_as_not_confirmed_yet(client, world, role):
    # Awaiting approval is, in practice, a resident whose free ticket the organiser has
    # not approved yet: door staff see it as one with pending payment.
    _registration(world, code="WAIT0001", status=RegistrationStatus.AWAITING_APPROVAL)
    _registration(world, code="PAYS0001", status=RegistrationStatus.PENDING_PAYMENT)
    client.force_login(_member(world, role))

    page = client.get(url("attendee.list", world)).content.decode()
    waiting = client.get(url("attendee.list", world), {"status": "awaiting_approval"})
    either = client.get(url("attendee.list", world), {"status": "not_confirmed"})

    sees_bookings = role == Role.OWNER
    assert ("Wacht op goedkeuring" in page) is sees_bookings
    assert ("Wacht op betaling" in page) is sees_bookings
    assert ("Nog niet bevestigd" in page) is not sees_bookings
    choices = dict(waiting.context["form"].fields["status"].choices)
    assert ("awaiting_approval" in choices) is sees_bookings
    # A value the role has no choice for filters nothing (and says so).
    assert len(waiting.context["object_list"]) == (1 if sees_bookings else 3)
    assert sorted(_codes_of_attendees(either)) == (
        ["PAYS0001", "WAIT0001"] if not sees_bookings else _all_codes(world)
    )


def _codes_of_attendees(response) -> list[str]:
    return [attendee.registration.code for attendee in response.context["object_list"]]


def _all_codes(world) -> list[str]:
    return sorted(world.event.registrations.values_list("code", flat=True))


def test_search_for_check_in_does_not_match_emails(client, world, sensitive):
    client.force_login(_member(world, Role.CHECKIN))
    by_email = client.get(url("attendee.list", world), {"q": "ada@example.org"})
    by_name = client.get(url("attendee.list", world), {"q": world.attendee.given_name})
    assert list(by_email.context["object_list"]) == []
    assert list(by_name.context["object_list"]) == [world.attendee]


@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE])
def test_history_of_sensitive_change_names_it_only_for_owner(client, world, sensitive, role):
    change_registration(
        world.registration,
        by=world.owner,
        attendees={sensitive.pk: {"dietary_wishes": "Vegetarisch", "family_name": "Jansen"}},
    )
    client.force_login(_member(world, role))
    history = dict(
        (entry.action, text)
        for entry, text in client.get(url("registration.detail", world)).context["history"]
    )
    text = history["registration.changed"]
    assert "Vegetarisch" not in text
    assert "Jansen" in text
    assert (gettext("dietary wishes") in text) is (role == Role.OWNER)


# --- search, filters, sort, paging ---------------------------------------------------------


@pytest.fixture
def three(world):
    """Three more registrations that differ in every way the list can search or filter."""
    approval = TicketTypeFactory(event=world.event, needs_approval=True, price=Decimal("0"))
    a = RegistrationFactory(
        event=world.event, code="AAAA2222", booker_name="Anna Zwart", email="anna@corp.example"
    )
    AttendeeFactory(
        registration=a,
        ticket_type=world.ticket_type,
        given_name="Piet",
        family_name="Pauw",
        email="piet@woon.example",
        organisation="Woonstichting Linde",
        role=AttendingRole.HOUSING_CORPORATION,
    )
    b = RegistrationFactory(
        event=world.event,
        code="BBBB3333",
        booker_name="Bert Bakker",
        email="bert@gemeente.example",
        status=RegistrationStatus.AWAITING_APPROVAL,
    )
    AttendeeFactory(
        registration=b, ticket_type=approval, given_name="Rina", role=AttendingRole.RESIDENT
    )
    c = RegistrationFactory(
        event=world.event,
        code="CCCC4444",
        booker_name="Carla Claes",
        email="carla@min.example",
        status=RegistrationStatus.CANCELLED,
    )
    AttendeeFactory(
        registration=c, ticket_type=world.ticket_type, given_name="Sam", role=AttendingRole.MINISTRY
    )
    # The order they were made in, oldest first: world's, then a, b, c.
    base = timezone.now() - dt.timedelta(days=10)
    for days, registration in enumerate([world.registration, a, b, c]):
        type(registration).objects.filter(pk=registration.pk).update(
            created=base + dt.timedelta(days=days)
        )
    return {"a": a, "b": b, "c": c, "approval": approval}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "aaaa2222"}, ["AAAA2222"]),
        ({"q": "Bakker"}, ["BBBB3333"]),
        ({"q": "carla@min"}, ["CCCC4444"]),
        ({"q": "Pauw"}, ["AAAA2222"]),
        ({"q": "piet Pauw"}, ["AAAA2222"]),
        ({"q": "piet@woon.example"}, ["AAAA2222"]),
        ({"q": "Linde"}, ["AAAA2222"]),
        ({"q": "niemand"}, []),
        ({"status": "awaiting_approval"}, ["BBBB3333"]),
        ({"status": "cancelled"}, ["CCCC4444"]),
        ({"role": "resident"}, ["BBBB3333"]),
        ({"approval": "yes"}, ["BBBB3333"]),
        ({"q": "Sam", "status": "confirmed"}, []),
        ({"status": "no-such-status"}, ["CCCC4444", "BBBB3333", "AAAA2222", "world"]),
    ],
)
def test_registration_list_search_and_filters(owner_client, world, three, query, expected):
    expected = [world.registration.code if code == "world" else code for code in expected]
    response = owner_client.get(url("registration.list", world), query)
    assert response.status_code == 200
    assert _codes(response) == expected


def test_registration_list_filters_on_ticket_type(owner_client, world, three):
    query = {"ticket_type": three["approval"].pk}
    assert _codes(owner_client.get(url("registration.list", world), query)) == ["BBBB3333"]


def test_registration_list_filters_on_tickets_without_approval(owner_client, world, three):
    response = owner_client.get(url("registration.list", world), {"approval": "no"})
    assert _codes(response) == ["CCCC4444", "AAAA2222", world.registration.code]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-created", ["CCCC4444", "BBBB3333", "AAAA2222", "world"]),
        ("created", ["world", "AAAA2222", "BBBB3333", "CCCC4444"]),
        ("booker", ["AAAA2222", "world", "BBBB3333", "CCCC4444"]),
        ("-booker", ["CCCC4444", "BBBB3333", "world", "AAAA2222"]),
        ("status", ["BBBB3333", "CCCC4444", "AAAA2222", "world"]),
        ("-status", ["world", "AAAA2222", "CCCC4444", "BBBB3333"]),
    ],
)
def test_registration_list_sorts(owner_client, world, three, sort, expected):
    # The world's booker is "Bea Boeker"; status sorts by stored value, then newest first.
    expected = [world.registration.code if code == "world" else code for code in expected]
    response = owner_client.get(url("registration.list", world), {"sort": sort})
    assert _codes(response) == expected


@pytest.mark.parametrize("sort", ["code", "-code"])
def test_registration_list_sorts_by_code(owner_client, world, three, sort):
    codes = sorted([world.registration.code, "AAAA2222", "BBBB3333", "CCCC4444"])
    response = owner_client.get(url("registration.list", world), {"sort": sort})
    assert _codes(response) == (codes if sort == "code" else codes[::-1])


def test_registration_list_counts_per_status(owner_client, world, three):
    response = owner_client.get(url("registration.list", world), {"status": "cancelled"})
    counts = {status: count for status, _label, count in response.context["status_counts"]}
    assert counts == {
        "awaiting_approval": 1,
        "pending_payment": 0,
        "confirmed": 2,
        "cancelled": 1,
        "waiting_list": 0,
    }
    assert response.context["total"] == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "Linde"}, ["Piet"]),
        ({"q": "bert@gemeente"}, ["Rina"]),
        ({"q": "cccc"}, ["Sam"]),
        ({"status": "awaiting_approval"}, ["Rina"]),
        ({"role": "ministry"}, ["Sam"]),
        ({"approval": "yes"}, ["Rina"]),
        ({"sort": "name"}, ["Ada", "Piet", "Rina", "Sam"]),
        ({"sort": "-name"}, ["Sam", "Rina", "Piet", "Ada"]),
        ({"sort": "created"}, ["Ada", "Piet", "Rina", "Sam"]),
    ],
)
def test_attendee_list_search_filters_and_sort(owner_client, world, three, query, expected):
    response = owner_client.get(url("attendee.list", world), query)
    assert [a.given_name for a in response.context["object_list"]] == expected


@pytest.mark.parametrize("language", ["nl", "en"])
def test_attendee_list_row_shows_the_labels_ticket_and_link(owner_client, world, language):
    registration = _registration(
        world, code="ROWTEST1", status=RegistrationStatus.AWAITING_APPROVAL, given_name="Rina"
    )
    registration.attendees.update(role=AttendingRole.MINISTRY)

    with translation.override(language):
        detail = url("registration.detail", world).replace(world.registration.code, "ROWTEST1")
        html = owner_client.get(url("attendee.list", world), {"q": "ROWTEST1"}).content.decode()
        expected = [
            str(world.ticket_type),
            str(AttendingRole.MINISTRY.label),
            f'<a class="utrecht-link" href="{detail}">ROWTEST1</a>',
            str(RegistrationStatus.AWAITING_APPROVAL.label),
        ]

    row = re.search(
        r"<tr class=\"utrecht-table__row\">\s*<th[^>]*scope=\"row\">Rina.*?</tr>", html, re.S
    )
    cells = re.findall(r"<td class=\"utrecht-table__cell\">(.*?)</td>", row.group(0), re.S)
    assert cells[3:] == expected


@pytest.mark.parametrize(
    ("page", "shown", "number"), [("1", 50, 1), ("2", 1, 2), ("99", 1, 2), ("abc", 50, 1)]
)
@pytest.mark.parametrize("name", ["registration.list", "attendee.list"])
def test_lists_show_fifty_per_page(owner_client, world, name, page, shown, number):
    world.quota.size = 60
    world.quota.save()
    for _ in range(50):
        _registration(world)
    response = owner_client.get(url(name, world), {"page": page, "status": "confirmed"})
    assert len(response.context["object_list"]) == shown
    assert response.context["page_obj"].number == number
    html = response.content.decode()
    next_link = re.search(r'rel="next" href="\?([^"]+)"', html)
    if number == 1:
        assert sorted(next_link.group(1).split("&amp;")) == ["page=2", "status=confirmed"]
    else:
        assert next_link is None


# --- query counts ---------------------------------------------------------------------------


def _more_rows(world, name):
    if name == "registration.detail":
        AttendeeFactory(registration=world.registration, ticket_type=world.ticket_type)
        log_action(world.registration, action="registration.changed", by=world.owner)
    elif name == "capacity":
        ticket_type = TicketTypeFactory(event=world.event)
        QuotaFactory(event=world.event, ticket_types=[ticket_type])
    else:
        _registration(world)


def _count(context, name) -> int:
    if name == "registration.detail":
        return len(context["attendees"])
    if name == "capacity":
        return len(context["capacity"].quotas)
    return len(context["object_list"])


@pytest.mark.parametrize(
    "name", ["registration.list", "attendee.list", "registration.detail", "capacity"]
)
def test_registration_screen_query_count_does_not_grow_with_rows(owner_client, world, name):
    def get():
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url(name, world))
        assert response.status_code == 200
        return len(queries), _count(response.context, name)

    queries_for_one, shown = get()
    assert shown == 1
    _more_rows(world, name)
    _more_rows(world, name)
    assert get() == (queries_for_one, 3)


# --- capacity -------------------------------------------------------------------------------


def test_capacity_counts_confirmed_held_free_and_waiting(owner_client, world):
    now = timezone.now()
    hall = world.quota  # 50 seats for world.ticket_type; the world's registration is confirmed
    other = TicketTypeFactory(event=world.event)
    hall.size = 10
    hall.save()
    hall.ticket_types.add(other)
    small = QuotaFactory(event=world.event, name="Klein", size=2, ticket_types=[other])

    def book(status, ticket_type, people=1, hold=None):
        registration = RegistrationFactory(event=world.event, status=status, hold_until=hold)
        for _ in range(people):
            AttendeeFactory(registration=registration, ticket_type=ticket_type)

    book(RegistrationStatus.CONFIRMED, world.ticket_type, people=2)
    book(RegistrationStatus.PENDING_PAYMENT, other, hold=now + dt.timedelta(minutes=20))
    book(RegistrationStatus.AWAITING_APPROVAL, world.ticket_type, hold=now + dt.timedelta(days=2))
    book(RegistrationStatus.PENDING_PAYMENT, world.ticket_type, hold=now - dt.timedelta(minutes=1))
    book(RegistrationStatus.WAITING_LIST, world.ticket_type, people=2)
    book(RegistrationStatus.WAITING_LIST, other)
    book(RegistrationStatus.CANCELLED, other, people=3)

    response = owner_client.get(url("capacity", world))

    capacity = response.context["capacity"]
    figures = {
        use.name: (use.size, use.confirmed, use.held, use.free, use.waiting)
        for use in [*capacity.quotas, *capacity.ticket_types]
    }
    assert figures == {
        hall.name: (10, 3, 2, 5, 3),
        small.name: (2, 0, 1, 1, 1),
        world.ticket_type.name_nl: (None, 3, 1, 5, 2),
        other.name_nl: (None, 0, 1, 1, 1),
    }
    html = response.content.decode()
    assert '<meter min="0" max="10" value="5" high="10">5/10</meter>' in html


def test_quota_cannot_be_made_smaller_than_its_seats_taken(owner_client, world):
    # Free seats were clamped at 0 for a quota made smaller than its seats taken; the seat
    # counter's CHECK constraint and `change_quota_size` now make such a quota impossible.
    _registration(world)
    with pytest.raises(RegistrationError) as refused:
        registration_services.change_quota_size(world.quota, size=1, by=None)
    capacity = owner_client.get(url("capacity", world)).context["capacity"]
    assert refused.value.code == "size_below_taken"
    assert (capacity.quotas[0].size, capacity.quotas[0].confirmed) == (50, 2)


def test_event_overview_summarises_capacity(owner_client, world):
    response = owner_client.get(url("event.detail", world))
    (use,) = response.context["dashboard"].capacity.quotas
    assert (use.size, use.confirmed, use.free) == (50, 1, 49)
    assert reverse("backoffice:capacity", kwargs={"event": world.event.slug}) in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (RegistrationStatus.AWAITING_APPROVAL, ["approve", "reject", "cancel", "resend-link"]),
        (RegistrationStatus.CONFIRMED, ["cancel", "resend-link"]),
        (RegistrationStatus.CANCELLED, ["resend-link"]),
    ],
)
def test_detail_offers_the_actions_that_fit_the_status(owner_client, world, status, actions):
    registration = _registration(world, status=status)
    detail = reverse(
        "backoffice:registration.detail",
        kwargs={"event": world.event.slug, "code": registration.code},
    )
    html = owner_client.get(detail).content.decode()
    base = f"/backoffice/{world.event.slug}/registrations/{registration.code}/"
    # The registration's own actions; those on one attendee (attendees/<id>/…) are apart.
    found = set(re.findall(re.escape(base) + r"([a-z-]+)/", html))
    found = sorted(found - {"edit", "payments", "attendees"})
    assert found == sorted(actions)


# --- The search form, rendered once a process per key ---------------------------------------


def _search_form(client, path, query=None) -> str:
    html = client.get(path, query or {}).content.decode()
    return re.search(r'<form method="get"[^>]*role="search".*?</form>', html, re.S).group(0)


@pytest.mark.parametrize("name", ["registration.list", "attendee.list"])
def test_search_form_shows_each_user_only_their_own_filters(client, world, name):
    client.force_login(world.owner)
    assert 'name="role"' in _search_form(client, url(name, world))

    client.force_login(_member(world, Role.FINANCE))
    response = client.get(url(name, world))
    if response.status_code == 200:
        assert 'name="role"' not in _search_form(client, url(name, world))


def test_search_form_follows_the_ticket_types_and_the_query(owner_client, world):
    path = url("attendee.list", world)
    assert "Zomerkaart" not in _search_form(owner_client, path)

    world.ticket_type.name_nl = "Zomerkaart"
    world.ticket_type.save()
    form = _search_form(owner_client, path, {"status": "cancelled"})

    assert "Zomerkaart" in form
    assert '<option value="cancelled" selected>' in form
    assert "utrecht-form-field--invalid" in _search_form(owner_client, path, {"status": "x"})


def test_search_form_with_words_is_not_kept(owner_client, world):
    from goedeburen.backoffice.views import registrations as views

    owner_client.get(url("attendee.list", world))
    kept = len(views._SEARCH_FORMS)

    form = _search_form(owner_client, url("attendee.list", world), {"q": "Ada Lovelace"})

    assert 'value="Ada Lovelace"' in form
    assert len(views._SEARCH_FORMS) == kept
