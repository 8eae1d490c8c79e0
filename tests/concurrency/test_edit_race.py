"""Two tabs of a booker's edit form sent at once on PostgreSQL, each changing another
attendee's badge: the form sends every field as it showed them, so without a check the
later save puts the earlier one's change back. With the registration's `updated` as the
form showed it (`seen`), one save wins and the other is refused ("changed_meanwhile"),
never silently undone. The negative control sends no `seen` and loses a change."""

from decimal import Decimal

import pytest
from django.db import connection

from goedeburen.registration import services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, Registration
from tests.factories import OpenEventFactory, QuotaFactory, TicketTypeFactory, attendee, form_token
from tests.factories import booker as a_booker
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_attendees():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    event = OpenEventFactory()
    ticket = TicketTypeFactory(event=event, price=Decimal("0"))
    QuotaFactory(event=event, size=10, ticket_types=[ticket])
    registration = services.register(
        event,
        booker=a_booker(),
        attendees=[attendee(ticket, given_name="Ada"), attendee(ticket, given_name="Bo")],
        form_token=form_token(event),
        language="nl",
    )
    return Registration.objects.get(pk=registration.pk)


def _two_tabs_at_once(registration, *, seen) -> list:
    """Tab n changes attendee n's badge and sends the other's as both tabs showed it."""
    pks = list(registration.attendees.order_by("pk").values_list("pk", flat=True))

    def tab(n):
        badges = {pk: "first_name" if k == n else "full" for k, pk in enumerate(pks)}
        return services.change_registration(
            Registration.objects.get(pk=registration.pk),
            by=None,
            attendees={pk: {"badge_name": badge} for pk, badge in badges.items()},
            seen=seen,
        )

    return all_at_once(2, tab)


def _badges(registration) -> list[str]:
    rows = Attendee.objects.filter(registration=registration).order_by("pk")
    return list(rows.values_list("badge_name", flat=True))


def test_two_tabs_saving_at_once_save_one_and_refuse_the_other(two_attendees):
    results = _two_tabs_at_once(two_attendees, seen=two_attendees.updated)

    refused = [r for r in results if isinstance(r, RegistrationError)]
    saved = [r for r in results if isinstance(r, dict)]
    assert (len(saved), [r.code for r in refused]) == (1, ["changed_meanwhile"]), results
    assert sorted(_badges(two_attendees)) == ["first_name", "full"]


def test_without_what_the_form_saw_the_later_tab_undoes_the_earlier(two_attendees):
    # Negative control: both saves are taken (one after the other, under the lock), and
    # the later puts back the badge the earlier changed.
    results = _two_tabs_at_once(two_attendees, seen=None)

    assert [type(r) for r in results] == [dict, dict], results
    assert sorted(_badges(two_attendees)) == ["first_name", "full"]
    assert _badges(two_attendees) != ["first_name", "first_name"]
