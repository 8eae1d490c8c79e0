"""Races on PostgreSQL: two "start a run" at once make one run; two publishes leave one.

Threads call the real services, each on its own connection, released together by a barrier.
"""

import pytest
from django.db import connection

from goedeburen.matching import services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import AssignmentRun
from tests.threads import all_at_once

from .conftest import make_small

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # Nothing runs the queued runs: the race is about starting them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_eight_organisers_starting_a_run_at_once_start_one():
    small = make_small(people=4)

    results = all_at_once(8, lambda n: services.start_run(small.event, by=None))

    runs = [r for r in results if isinstance(r, AssignmentRun)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    assert (len(runs), len(refused)) == (1, 7)
    assert {r.code for r in refused} == {"busy"}
    assert AssignmentRun.objects.filter(event=small.event).count() == 1


def test_publishing_two_runs_at_once_leaves_exactly_one_published():
    small = make_small(people=4)
    done = []
    for _ in range(2):
        run = services.start_run(small.event, by=None)
        done.append(services.execute_run(run.pk))

    results = all_at_once(2, lambda n: services.publish_run(done[n], by=None))

    assert all(isinstance(r, AssignmentRun) for r in results), results
    assert AssignmentRun.objects.filter(event=small.event, is_published=True).count() == 1
