"""The counts of an event's programme and people, read in one query for its first screen."""

import pytest

from goedeburen.events.queries import PartCounts, part_counts
from tests.factories import (
    EventFactory,
    PartnerFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


def _parts(event, n):
    for _ in range(n):
        PartnerFactory(event=event)
        ProgrammeItemFactory(event=event)
        SpeakerFactory(event=event)
        ProjectFactory(event=event)
    round_ = RoundFactory(event=event)
    for _ in range(n):
        SessionFactory(round=round_)


def test_part_counts_count_only_the_events_own_parts(django_assert_num_queries):
    event, other = EventFactory(), EventFactory()
    _parts(event, 2)
    _parts(other, 3)

    with django_assert_num_queries(1):
        found = part_counts(event)

    assert found == PartCounts(partners=2, items=2, rounds=1, sessions=2, speakers=2, projects=2)


def test_part_counts_of_an_empty_event_are_zero():
    assert part_counts(EventFactory()) == PartCounts(
        partners=0, items=0, rounds=0, sessions=0, speakers=0, projects=0
    )
