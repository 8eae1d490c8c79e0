"""The registration screens cost the same number of queries for one attendee as for three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .helpers import form_data, url

pytestmark = pytest.mark.django_db


def _queries(client, method: str, path: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data)
    assert response.status_code == 200
    return len(queries)


def test_form_with_more_attendees_costs_no_more_queries(client, event, hall, paid, free):
    path = url("public:registration.start", event.slug)
    one = form_data(client, event, [paid], action="add")
    three = form_data(client, event, [paid, free, free], action="add")

    assert _queries(client, "post", path, one) == _queries(client, "post", path, three)


def test_manage_page_with_more_attendees_costs_no_more_queries(
    client, event, hall, paid, free, register
):
    hall.size = 4
    hall.save()
    one = register(paid)
    three = register(paid, free, free)

    def manage(registration):
        path = url(
            "public:registration.manage", event.slug, registration.code, registration.manage_token
        )
        return _queries(client, "get", path)

    manage(one)  # the event and its setup are read once per version, then cached
    assert manage(one) == manage(three)
