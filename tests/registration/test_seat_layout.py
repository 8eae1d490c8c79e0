"""The capacity figures read the event's ticket types and quotas once a version of the event:
every edit of them moves the version on, so the figures follow each edit at once."""

import pytest
from django.utils import timezone

from goedeburen.events.models import Event
from goedeburen.registration import queries
from tests.factories import OpenEventFactory, QuotaFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def _capacity(event_pk):
    # The event as a screen loads it: a fresh row, with the version it has now.
    return queries.capacity(Event.objects.get(pk=event_pk), now=timezone.now())


def _quotas(event_pk):
    return [(u.name, u.size, u.free) for u in _capacity(event_pk).quotas]


def test_capacity_reads_the_layout_once_a_version(django_assert_num_queries):
    event = OpenEventFactory()
    QuotaFactory(event=event, ticket_types=[TicketTypeFactory(event=event)])
    _capacity(event.pk)
    event = Event.objects.get(pk=event.pk)

    with django_assert_num_queries(1):  # the seats taken, always counted
        queries.capacity(event, now=timezone.now())


def test_capacity_follows_each_edit_of_quotas_and_ticket_types():
    event = OpenEventFactory()
    ticket = TicketTypeFactory(event=event, name_nl="Dagkaart")
    quota = QuotaFactory(event=event, name="Zaal", size=50, ticket_types=[ticket])
    assert _quotas(event.pk) == [("Zaal", 50, 50)]

    quota.size = 40
    quota.save()
    assert _quotas(event.pk) == [("Zaal", 40, 40)]

    other = TicketTypeFactory(event=event, name_nl="Studentenkaart")
    quota.ticket_types.add(other)
    found = _capacity(event.pk)
    assert [u.name for u in found.ticket_types] == ["Dagkaart", "Studentenkaart"]
    assert [u.free for u in found.ticket_types] == [40, 40]

    quota.ticket_types.remove(other)
    assert [u.free for u in _capacity(event.pk).ticket_types] == [40, None]

    quota.delete()
    assert _quotas(event.pk) == []
