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


@pytest.mark.parametrize(("size", "taken", "seats"), [(3, 0, 1), (3, 2, 1), (3, 3, 1), (3, 1, 3)])
def test_increment_agrees_with_the_orm(size, taken, seats):
    from django.db.models import F

    from goedeburen.registration.models import Quota

    event = OpenEventFactory()
    written, orm = (QuotaFactory(event=event, size=size) for _ in range(2))
    Quota.objects.filter(pk__in=[written.pk, orm.pk]).update(taken=taken)

    took = capacity.increment(written.pk, seats)
    orm_took = bool(
        Quota.objects.filter(pk=orm.pk, taken__lte=F("size") - seats).update(
            taken=F("taken") + seats
        )
    )

    assert took is orm_took is (taken + seats <= size)
    written.refresh_from_db()
    orm.refresh_from_db()
    assert written.taken == orm.taken == (taken + seats if took else taken)
