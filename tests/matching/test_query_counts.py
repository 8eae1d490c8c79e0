"""The assignment lists cost the same number of queries for one row as for three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goedeburen.events.models import Role
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.matching import services
from goedeburen.matching.models import AssignmentRun
from tests.factories import TeamMemberFactory, UserFactory

from .conftest import make_small

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _owner(client, event):
    owner = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=owner, role=Role.OWNER)
    client.force_login(owner)


def test_run_list_with_more_runs_costs_no_more_queries(client):
    counts = []
    for n in (1, 3):
        small = make_small(people=3)
        _owner(client, small.event)
        for _ in range(n):
            AssignmentRun.objects.create(event=small.event, status="done")
        counts.append(
            _queries(client, reverse("backoffice:assignment.list", args=[small.event.slug]))
        )
    assert counts[0] == counts[1]


def test_session_lists_with_more_people_cost_no_more_queries(client):
    counts = []
    for people in (1, 3):
        small = make_small(people=people)
        _owner(client, small.event)
        services.publish_run(
            services.execute_run(services.start_run(small.event, by=None).pk), by=None
        )
        counts.append(
            _queries(client, reverse("backoffice:assignment.lists", args=[small.event.slug]))
        )
    assert counts[0] == counts[1]


def test_manage_page_with_published_programme_costs_no_more_queries_for_more_attendees(client):
    from goedeburen.registration.models import Attendee
    from tests.factories import AttendeeFactory

    counts = []
    for extra in (0, 2):
        small = make_small(people=2)
        person = small.attendees[0]
        for _ in range(extra):
            AttendeeFactory(registration=person.registration, ticket_type=small.ticket)
        services.publish_run(
            services.execute_run(services.start_run(small.event, by=None).pk), by=None
        )
        assert Attendee.objects.filter(registration=person.registration).count() == 1 + extra
        path = reverse(
            "public:registration.manage",
            kwargs={
                "event": small.event.slug,
                "code": person.registration.code,
                "token": small.tokens[person.registration.pk],
            },
        )
        counts.append(_queries(client, path))
    assert counts[0] == counts[1]


def test_publishing_for_more_registrations_costs_no_more_queries():
    # One statement per mail made publishing 3,000 registrations take 15 s in the request.
    counts = []
    for people in (1, 3):
        small = make_small(people=people)
        run = services.execute_run(services.start_run(small.event, by=None).pk)
        with CaptureQueriesContext(connection) as queries:
            services.publish_run(run, by=None)
        assert (
            OutgoingMail.objects.filter(event=small.event, kind=MailKind.PERSONAL_PROGRAMME).count()
            == people
        )
        counts.append(len(queries))
    assert counts[0] == counts[1]
