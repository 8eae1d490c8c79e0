"""Many seats from one client address without online payment await the organiser's approval."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from goedeburen.events.models import Role
from goedeburen.registration import services
from goedeburen.registration.enums import RegistrationStatus, ReviewReason
from goedeburen.registration.models import Registration
from goedeburen.registration.services import abuse
from tests.factories import (
    OpenEventFactory,
    QuotaFactory,
    TeamMemberFactory,
    TicketTypeFactory,
    UserFactory,
    attendee,
    billing,
    booker,
    form_token,
)
from tests.registration.helpers import form_data
from tests.threads import all_at_once

ADDRESS, OTHER = "203.0.113.7", "198.51.100.1"


@pytest.fixture
def big_hall(event, paid, free, resident):
    return QuotaFactory(event=event, name="Zaal", size=100, ticket_types=[paid, free, resident])


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.REGISTRATION_REVIEW_SEATS_PER_HOUR = 10


def _book(event, ticket, count, *, client=ADDRESS, **options):
    return services.register(
        event,
        booker=booker(),
        attendees=[attendee(ticket, given_name=f"Ada{n}") for n in range(count)],
        billing=billing(),
        form_token=form_token(event),
        language="nl",
        client=client,
        **options,
    )


@pytest.mark.django_db
def test_seats_past_the_limit_from_one_address_await_approval(event, paid, free, big_hall):
    first = _book(event, paid, 6)
    second = _book(event, free, 4)  # 10 seats: still within the limit

    third = _book(event, paid, 1)

    assert (first.status, second.status) == (
        RegistrationStatus.PENDING_PAYMENT,
        RegistrationStatus.CONFIRMED,
    )
    assert (first.review_reason, second.review_reason) == ("", "")
    assert third.status == RegistrationStatus.AWAITING_APPROVAL
    assert third.review_reason == ReviewReason.MANY_SEATS
    assert third.hold_until is not None
    big_hall.refresh_from_db()
    assert big_hall.taken == 11  # taken all the same: the organiser decides


@pytest.mark.django_db
def test_other_addresses_online_payment_and_staff_are_not_held_back(
    event, paid, free, big_hall, staff
):
    _book(event, free, 10)

    other = _book(event, free, 5, client=OTHER)
    online = _book(event, paid, 5, pays_online=True)
    by_staff = _book(event, free, 5, by=staff)
    no_address = _book(event, free, 5, client="")  # the API, a walk-in

    assert [r.status for r in (other, online, by_staff, no_address)] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.PENDING_PAYMENT,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
    ]
    # None of them counted for the address: one more free seat from it is held back.
    assert _book(event, free, 1).review_reason == ReviewReason.MANY_SEATS


@pytest.mark.django_db
def test_a_ticket_that_needs_approval_keeps_its_own_reason(event, resident, free, big_hall):
    _book(event, free, 10)

    held = _book(event, resident, 2)

    assert (held.status, held.review_reason) == (RegistrationStatus.AWAITING_APPROVAL, "")


def test_the_count_starts_again_the_next_hour():
    # The count is per clock hour, as django-ratelimit's windows are.
    hour = abuse.dt.datetime(2018, 1, 26, 9, 0, tzinfo=abuse.dt.UTC)

    def review(now, seats):
        return abuse.state_after_review(
            RegistrationStatus.CONFIRMED,
            None,
            client=ADDRESS,
            seats=seats,
            pays_online=False,
            approval_hold=abuse.dt.timedelta(days=7),
            now=now,
        )

    assert review(hour, 10)[2] == ""
    assert review(hour + abuse.dt.timedelta(minutes=59), 1)[2] == ReviewReason.MANY_SEATS
    assert review(hour + abuse.dt.timedelta(hours=1), 10) == (
        RegistrationStatus.CONFIRMED,
        None,
        "",
    )


@pytest.mark.django_db
def test_approving_a_held_registration_confirms_it_without_counting_again(
    event, free, big_hall, staff
):
    _book(event, free, 10)
    held = _book(event, free, 3)

    approved = services.approve_registration(held, by=staff)

    assert approved.status == RegistrationStatus.CONFIRMED
    assert approved.review_reason == ReviewReason.MANY_SEATS  # kept for the record


@pytest.mark.django_db
def test_the_form_counts_per_address_behind_the_proxy_and_says_why(
    client, event, free, big_hall, settings
):
    settings.TRUSTED_PROXIES = 1
    path = reverse("public:registration.start", args=[event.slug])

    def send(forwarded_for, count):
        # Another booker each time: the same people sent again would be recognised.
        email = f"booker{Registration.objects.count()}@example.org"
        data = form_data(client, event, [free] * count, **{"booker-email": email})
        response = client.post(path, data, HTTP_X_FORWARDED_FOR=forwarded_for)
        assert response.status_code == 302, response.content.decode()[:2000]
        return client.get(response.url)

    send(f"10.9.9.9, {ADDRESS}", 8)
    page = send(ADDRESS, 3).content.decode()
    other = send(OTHER, 3).content.decode()

    assert "Vanaf uw internetadres zijn in korte tijd veel plaatsen geboekt." in page
    assert "Vanaf uw internetadres" not in other
    statuses = list(Registration.objects.order_by("created").values_list("status", flat=True))
    assert statuses == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.AWAITING_APPROVAL,
        RegistrationStatus.CONFIRMED,
    ]


@pytest.mark.django_db
def test_the_back_office_list_says_why_it_awaits_approval(client, event, free, big_hall):
    owner = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=owner, role=Role.OWNER)
    _book(event, free, 10)
    held = _book(event, free, 1)
    client.force_login(owner)

    listing = client.get(reverse("backoffice:registration.list", args=[event.slug]))
    detail = client.get(reverse("backoffice:registration.detail", args=[event.slug, held.code]))

    reason = "Veel plaatsen vanaf één internetadres binnen een uur, zonder online betaling"
    assert listing.content.decode().count(reason) == 1
    assert reason in detail.content.decode()


# ---- concurrency -----------------------------------------------------------------------

RUSH = 6  # registrations of 10 attendees each, all at once from one address


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rush_from_one_address_lets_only_the_first_ten_seats_through():
    # The attack: six registrations of ten attendees in one go. The count is one
    # atomic increment in the shared cache, so exactly one gets through unreviewed.
    event = OpenEventFactory()
    free = TicketTypeFactory(event=event, price=0)
    QuotaFactory(event=event, name="Zaal", size=200, ticket_types=[free])

    def book(n, client=ADDRESS):
        return _book(event, free, 10, client=client).status

    statuses = all_at_once(RUSH, book)
    # Negative control: the same rush from six addresses is not held back at all.
    cache.clear()
    spread = all_at_once(RUSH, lambda n: book(n, client=f"198.51.100.{n + 1}"))

    assert sorted(map(str, statuses)) == sorted(
        [RegistrationStatus.CONFIRMED] + [RegistrationStatus.AWAITING_APPROVAL] * (RUSH - 1)
    )
    assert spread == [RegistrationStatus.CONFIRMED] * RUSH
