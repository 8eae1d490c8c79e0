"""The day's lists obey consent and role; each is a screen and a PDF, CSV and XLSX."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from goedeburen.checkin import queries
from goedeburen.checkin.models import DayChoices
from goedeburen.events.models import Role
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import AttendeeFactory, RegistrationFactory

from .conftest import member

pytestmark = pytest.mark.django_db


def _person(event, given, family="", *, status=RegistrationStatus.CONFIRMED, **values):
    registration = RegistrationFactory(event=event, status=status)
    return AttendeeFactory(
        registration=registration, given_name=given, family_name=family, **values
    )


@pytest.fixture
def people(event):
    wishes = {"special_category_consent": True}
    return {
        "zoe": _person(event, "Zoë", "Zandstra", dietary_wishes="vegetarisch", **wishes),
        "ada": _person(event, "Ada", "Aalders", dietary_wishes="Vegetarisch ", **wishes),
        "bo": _person(
            event, "Bo", "Bakker", dietary_wishes="halal", attendee_list_consent=True, **wishes
        ),
        "cas": _person(event, "Cas", "", attendee_list_consent=True),
        "gone": _person(event, "Gijs", "Weg", status=RegistrationStatus.CANCELLED),
    }


def test_caterer_list_counts_wishes_and_names_only_who_consented(event, people):
    DayChoices.objects.create(attendee=people["bo"], name_for_caterer=True)

    caterer = queries.caterer_list(event)

    assert caterer.wishes == [("Vegetarisch", 2), ("halal", 1)]
    assert (caterer.expected, caterer.without_wishes) == (4, 1)
    assert caterer.names == [("Bo B.", "halal")]


def test_caterer_screen_and_exports_name_nobody_who_did_not_consent(client, event, people):
    DayChoices.objects.create(attendee=people["bo"], name_for_caterer=True)
    client.force_login(member(event, Role.CATERER))

    page = client.get(reverse("backoffice:checkin.caterer", kwargs={"event": event.slug}))
    exports = [
        client.get(
            reverse("backoffice:checkin.caterer_export", kwargs={"event": event.slug, "format": f})
        ).content
        for f in ("csv", "pdf")
    ]

    text = page.content.decode()
    assert "Bo B." in text
    for secret in ("Zoë", "Zandstra", "Ada", "Aalders", "bea@example.org"):
        assert secret not in text
        assert secret.encode() not in exports[0]


@pytest.mark.parametrize(
    "name",
    [
        "checkin.app",
        "checkin.lists",
        "checkin.badges",
        "attendee.list",
        "registration.list",
        "payment.overview",
    ],
)
def test_caterer_role_sees_nothing_but_the_catering_list(client, event, name):
    client.force_login(member(event, Role.CATERER))

    response = client.get(reverse(f"backoffice:{name}", kwargs={"event": event.slug}))

    assert response.status_code == 403


def test_door_list_is_alphabetical_by_last_name_with_confirmed_people_only(event, people):
    rows = queries.door_list(event)

    assert [r.name for r in rows] == ["Aalders, Ada", "Bakker, Bo", "Cas", "Zandstra, Zoë"]


def test_attendee_list_for_participants_holds_only_who_opted_in(client, event, people, owner):
    client.force_login(owner)

    response = client.get(
        reverse(
            "backoffice:checkin.participant_list", kwargs={"event": event.slug, "format": "xlsx"}
        )
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Naam", "Organisatie"],
        ["Bo Bakker", None],
        ["Cas", None],
    ]


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx"])
def test_door_list_downloads(client, event, people, ingrid, fmt):
    client.force_login(ingrid)

    response = client.get(
        reverse("backoffice:checkin.door_list", kwargs={"event": event.slug, "format": fmt})
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_unknown_format_is_not_found(client, event, ingrid):
    client.force_login(ingrid)

    response = client.get(
        reverse("backoffice:checkin.door_list", kwargs={"event": event.slug, "format": "exe"})
    )

    assert response.status_code == 404


@pytest.mark.parametrize("bad", [{"ticket_type": "99999999999999999999"}, {"status": "zzz"}])
def test_badges_with_a_wrong_filter_say_why_and_print_none(
    client, event, people, owner, english, bad
):
    # A filter with a wrong value filters nothing: not every badge, but the screen, and why.
    client.force_login(owner)
    url = reverse("backoffice:checkin.badges_pdf", kwargs={"event": event.slug})

    response = client.get(url, bad, follow=True)

    assert response["Content-Type"].startswith("text/html")
    assert response.redirect_chain[0][0].startswith(
        reverse("backoffice:checkin.badges", kwargs={"event": event.slug})
    )
    assert "A filter has a value that does not exist" in response.content.decode()


def test_session_host_sees_only_their_own_session_list(client, event):
    from goedeburen.matching.models import AssignmentRun, Placement, SessionHost
    from tests.factories import RoundFactory, SessionFactory

    round_ = RoundFactory(event=event)
    own, other = SessionFactory(round=round_), SessionFactory(round=round_)
    host = member(event, Role.HOST)
    SessionHost.objects.create(session=own, user=host)
    run = AssignmentRun.objects.create(event=event, status="done", is_published=True)
    placed = _person(event, "Pim", "Plaats", organisation="Portaal")
    Placement.objects.create(run=run, attendee=placed, round=round_, session=own)
    client.force_login(host)

    mine = client.get(
        reverse("backoffice:checkin.session_list", kwargs={"event": event.slug, "session": own.pk})
    )
    theirs = client.get(
        reverse(
            "backoffice:checkin.session_list", kwargs={"event": event.slug, "session": other.pk}
        )
    )

    assert mine.status_code == 200 and "Pim Plaats" in mine.content.decode()
    assert theirs.status_code == 404


FORMULA = '=HYPERLINK("http://x")'


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx"])
def test_a_session_list_downloads_whatever_its_title_and_names_hold(client, event, owner, fmt):
    from goedeburen.matching.models import AssignmentRun, Placement
    from tests.factories import RoundFactory, SessionFactory

    round_ = RoundFactory(event=event)
    # The list's title is "11:00 <title>": a sheet's name may hold neither : nor / ? * [ ].
    session = SessionFactory(round=round_, title_nl="Wonen: wat nu? [deel 1/2]*")
    run = AssignmentRun.objects.create(event=event, status="done", is_published=True)
    placed = _person(event, "Pim", "Plaats", organisation=FORMULA)
    Placement.objects.create(run=run, attendee=placed, round=round_, session=session)
    client.force_login(owner)
    path = reverse(
        "backoffice:checkin.session_export",
        kwargs={"event": event.slug, "session": session.pk, "format": fmt},
    )

    response = client.get(path)

    assert response.status_code == 200
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[1] == 'Pim Plaats;"\'=HYPERLINK(""http://x"")"'
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["11 00 Wonen wat nu deel 1 2"]
        assert [c.value for c in next(book.active.iter_rows(min_row=2))] == ["Pim Plaats", FORMULA]
        assert book.active["B2"].data_type == "s"


@pytest.mark.parametrize("name", ["checkin.lists", "checkin.caterer"])
def test_list_screens_cost_the_same_queries_for_one_and_three_rows(
    client, event, owner, name, django_assert_num_queries
):
    client.force_login(owner)
    path = reverse(f"backoffice:{name}", kwargs={"event": event.slug})
    _person(event, "Een", dietary_wishes="vis", special_category_consent=True)
    client.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for n in range(2):
        _person(event, f"Meer{n}", dietary_wishes="vis", special_category_consent=True)
    with CaptureQueriesContext(connection) as three:
        client.get(path)

    assert len(one) == len(three)
