"""The seat counter's small parts: the quotas of ticket types, written out, agree with the ORM."""

import pytest

from goedeburen.registration.services import capacity
from tests.factories import OpenEventFactory, QuotaFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def test_quotas_of_agrees_with_the_orm():
    event = OpenEventFactory()
    a, b, c, outside = (TicketTypeFactory(event=event) for _ in range(4))
    QuotaFactory(event=event, ticket_types=[a, b])
    QuotaFactory(event=event, ticket_types=[b, c])
    QuotaFactory(event=event, ticket_types=[c])

    found = capacity.quotas_of([a.pk, b.pk, c.pk, outside.pk])

    assert found == {
        t.pk: list(t.quotas.order_by("pk").values_list("pk", flat=True)) for t in (a, b, c, outside)
    }
    assert found[outside.pk] == []
    assert capacity.quotas_of([]) == {}
