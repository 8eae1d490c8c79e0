"""The event's dashboard (its first screen): every figure equals what the database holds,
each is shown only to the roles that may see it, and it costs the same queries for 1 and
50 registrations (issue 12)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from goedeburen.backoffice.dashboard import bars, dashboard
from goedeburen.checkin.models import CheckIn
from goedeburen.common.snapshot import current as _snapshot
from goedeburen.events.models import Role
from goedeburen.mail.enums import MailState
from goedeburen.payments.enums import (
    InvoiceKind,
    PaymentState,
    ProviderName,
    RefundState,
    TransactionState,
)
from goedeburen.payments.models import BankTransaction, Invoice, Payment, Refund
from goedeburen.registration import services
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from goedeburen.registration.models import Attendee, Registration, TargetShare
from tests.backoffice.conftest import _bank_line, make_world, url
from tests.factories import (
    AttendeeFactory,
    OrganiserBillingFactory,
    OutgoingMailFactory,
    RegistrationFactory,
    TeamMemberFactory,
    UserFactory,
    fill_seats,
)

pytestmark = pytest.mark.django_db


def _seed(world):
    """Registrations in every status over three days, money, a bank line, mails, a check-in."""
    now = timezone.now()
    roles = list(AttendingRole)
    made = []
    for n, status in enumerate(
        [
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.AWAITING_APPROVAL,
            RegistrationStatus.PENDING_PAYMENT,
            RegistrationStatus.WAITING_LIST,
            RegistrationStatus.CANCELLED,
        ]
    ):
        registration = RegistrationFactory(
            event=world.event, status=status, hold_until=now + dt.timedelta(days=1)
        )
        for k in range(1 + n % 2):
            AttendeeFactory(
                registration=registration,
                ticket_type=world.ticket_type,
                role=roles[(n + k) % len(roles)],
            )
        made.append(registration)
    # Spread over days: two days ago, yesterday, today.
    for registration, days in zip(made, [2, 2, 1, 1, 0, 0], strict=True):
        Registration.objects.filter(pk=registration.pk).update(
            created=now - dt.timedelta(days=days)
        )
    _overdue_invoice(world)  # of the world's (confirmed) registration
    paid = Payment.objects.create(
        registration=world.registration,
        provider=ProviderName.MANUAL,
        amount=Decimal("50.00"),
        state=PaymentState.PAID,
    )
    Refund.objects.create(payment=paid, amount=Decimal("10.00"), state=RefundState.REFUNDED)
    Payment.objects.create(
        registration=made[0],
        provider=ProviderName.MOLLIE,
        amount=Decimal("99.00"),
        state=PaymentState.FAILED,
    )
    _bank_line(world)
    OutgoingMailFactory(event=world.event, state=MailState.FAILED)
    OutgoingMailFactory(event=world.event, state=MailState.SENT)
    CheckIn.objects.create(event=world.event, attendee=world.attendee, device="d", at=now)
    services.save_target_mix(
        world.event,
        shares={"housing_corporation": Decimal("25"), "resident": Decimal("12.5")},
        by=world.owner,
    )
    return made


def _overdue_invoice(world):
    from goedeburen.payments import services

    OrganiserBillingFactory(organiser=world.organiser, address="Beneluxlaan 9\n3527 HT Utrecht")
    world.registration.billing_organisation = "Woonstichting De Linde"
    world.registration.billing_address = "Lindelaan 1\n3511 AA Utrecht"
    world.registration.save()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return services.issue_invoice(world.registration, due_date=yesterday)


def _expected(world):
    """The figures computed by hand from the rows, not by the dashboard's queries."""
    registrations = list(Registration.objects.filter(event=world.event))
    attendees = list(
        Attendee.objects.filter(registration__event=world.event).select_related("registration")
    )
    invoices = list(Invoice.objects.filter(event=world.event))
    payments = list(Payment.objects.filter(registration__event=world.event))
    refunds = list(Refund.objects.filter(payment__registration__event=world.event))
    per_day = {}
    for registration in registrations:
        day = timezone.localtime(registration.created).date()
        per_day[day] = per_day.get(day, 0) + 1
    holding = {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.AWAITING_APPROVAL,
        RegistrationStatus.PENDING_PAYMENT,
    }
    seated = [a for a in attendees if a.registration.status in holding]
    invoiced = sum((i.total for i in invoices), Decimal("0"))
    paid = sum((p.amount for p in payments if p.state == PaymentState.PAID), Decimal("0")) - sum(
        (r.amount for r in refunds if r.state != RefundState.FAILED), Decimal("0")
    )
    open_invoices = [i for i in invoices if i.kind == InvoiceKind.INVOICE]
    return {
        "statuses": {
            s: sum(1 for r in registrations if r.status == s) for s in RegistrationStatus.values
        },
        "days": sorted(per_day.items()),
        "attendees": sum(
            1 for a in attendees if a.registration.status == RegistrationStatus.CONFIRMED
        ),
        "invoiced": invoiced,
        "paid": paid,
        # The only invoice is the world registration's; it owes its total less what was paid.
        "outstanding": sum((i.total for i in open_invoices), Decimal("0")) - paid,
        "bank": BankTransaction.objects.filter(
            statement__event=world.event, state=TransactionState.UNMATCHED
        ).count(),
        "mix": {role.value: sum(1 for a in seated if a.role == role) for role in AttendingRole},
        "targets": {
            role.value: TargetShare.objects.filter(event=world.event, role=role)
            .values_list("share", flat=True)
            .first()
            for role in AttendingRole
        },
        "seated": len(seated),
        "check_ins": 1,
    }


def test_every_figure_equals_the_database(owner_client, world):
    _seed(world)
    expected = _expected(world)

    response = owner_client.get(url("event.detail", world))

    board = response.context["dashboard"]
    assert board.status_counts == expected["statuses"]
    assert board.registrations == sum(expected["statuses"].values()) == 7
    assert [(d.day, d.count) for d in board.days] == expected["days"]
    assert board.days[-1].running == 7
    assert board.attendees == expected["attendees"]
    assert board.awaiting_approval == 1 and board.waiting_list == 1
    assert board.money.invoiced == expected["invoiced"] > 0
    assert board.money.paid == expected["paid"] == Decimal("40.00")
    assert board.money.outstanding == expected["outstanding"]
    assert board.money.overdue == expected["outstanding"]  # due yesterday
    assert board.money.overdue_count == 1
    assert board.bank_unmatched == expected["bank"] == 1
    assert board.mails_failed == 1
    assert {row.role: row.count for row in board.mix} == expected["mix"]
    assert sum(row.count for row in board.mix) == expected["seated"]
    assert {row.role: row.target for row in board.mix} == expected["targets"]
    assert expected["targets"]["housing_corporation"] == Decimal("25.00")
    assert {row.role: row.share for row in board.mix} == {
        role: (Decimal(100 * n) / expected["seated"]).quantize(Decimal("0.1"))
        for role, n in expected["mix"].items()
    }
    assert board.check_ins == expected["check_ins"]
    (quota,) = board.capacity.quotas
    assert quota.confirmed + quota.held == expected["seated"]
    html = response.content.decode()
    for status in ("awaiting_approval", "pending_payment", "confirmed"):
        assert f"?status={status}" in html  # each number links to the list behind it
    assert url("waiting_list", world) in html
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1]


def test_mix_shows_share_and_target_in_the_table_and_the_svg(owner_client, world, english):
    _seed(world)

    board = owner_client.get(url("event.detail", world))
    html = board.content.decode()

    (row,) = [r for r in board.context["dashboard"].mix if r.role == "housing_corporation"]
    assert row.difference == row.share - Decimal("25")
    assert "Attending as, against the target mix" in html
    assert html.count('class="bo-bar__target"') == 2  # the two groups with a target
    assert 'x1="25.00"' in html and 'x1="12.50"' in html
    assert url("target_mix", world) in html
    assert f"{url('attendee.list', world)}?role=resident" in html


def test_registrations_chart_is_svg_with_its_table(owner_client, world):
    _seed(world)
    html = owner_client.get(url("event.detail", world)).content.decode()
    assert 'class="bo-chart__svg"' in html
    assert html.count("<rect") >= 3
    assert "Registrations per day" in html or "Aanmeldingen per dag" in html


def test_bars_scale_to_the_highest_value():
    drawn = bars([("a", 1), ("b", 4), ("c", 0)], width=300, height=100)
    assert [b.height for b in drawn] == [25.0, 100.0, 0.0]
    assert [b.y for b in drawn] == [75.0, 0.0, 100.0]
    assert drawn[1].x == pytest.approx(102.0)
    assert bars([]) == []


@pytest.mark.parametrize(
    ("role", "money", "mix"),
    [(Role.FINANCE, True, False), (Role.REGISTRATIONS, False, True), (Role.CHECKIN, False, False)],
)
def test_each_widget_only_for_the_roles_that_may_see_it(client, world, role, money, mix):
    _seed(world)
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    client.force_login(user)

    board = client.get(url("event.detail", world)).context["dashboard"]

    assert (board.money is not None, board.mix is not None) == (money, mix)
    assert board.bank_unmatched is None  # bank lines: the organiser's roles only


def test_dashboard_costs_the_same_queries_for_1_and_50_registrations(owner_client, world):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url("event.detail", world)).status_code == 200
        return len(captured)

    # One of each: the world's registration with its invoice, a payment, a bank line, a
    # failed mail and a check-in.
    _overdue_invoice(world)
    Payment.objects.create(
        registration=world.registration,
        provider=ProviderName.MANUAL,
        amount=Decimal("5.00"),
        state=PaymentState.PAID,
    )
    _bank_line(world)
    OutgoingMailFactory(event=world.event, state=MailState.FAILED)
    CheckIn.objects.create(
        event=world.event, attendee=world.attendee, device="d", at=timezone.now()
    )
    count()  # the event's seat layout is read once a version, then kept
    one = count()
    fill_seats(world.ticket_type, 49)  # 50 registrations in all
    for _ in range(5):
        OutgoingMailFactory(event=world.event, state=MailState.FAILED)
    assert Registration.objects.filter(event=world.event).count() == 50
    assert count() == one


def _figures_section(client, world) -> str:
    html = client.get(url("event.detail", world)).content.decode()
    return re.search(r'<section aria-labelledby="dashboard-heading".*?</section>', html, re.S)[0]


def test_the_rendered_dashboard_follows_every_change_of_its_figures(owner_client, world):
    before = _figures_section(owner_client, world)
    assert _figures_section(owner_client, world) == before  # kept while nothing changes

    RegistrationFactory(event=world.event, status=RegistrationStatus.AWAITING_APPROVAL)
    after = _figures_section(owner_client, world)
    OutgoingMailFactory(event=world.event, state=MailState.FAILED)
    mail_failed = _figures_section(owner_client, world)

    assert '<span class="bo-figure__number">1</span> wachten op goedkeuring' in after
    assert '<span class="bo-figure__number">0</span> wachten op goedkeuring' in before
    assert '<span class="bo-figure__number">1</span> mails mislukt' in mail_failed
    assert '<span class="bo-figure__number">0</span> mails mislukt' in after


def test_the_rendered_dashboard_speaks_the_pages_language(owner_client, world):
    dutch = _figures_section(owner_client, world)
    with translation.override("en"):
        english = _figures_section(owner_client, world)

    assert "Registrations over time" in english
    assert "Registrations over time" not in dutch


# Outside a transaction (as a request is served), the figures are kept with the database
# snapshot they were read after; these tests therefore commit what they write. The snapshot is
# the whole cluster's, so other processes' commits (parallel test workers) make reads afresh:
# what must be kept is read again until no commit came between (`_in_one_snapshot`).
@pytest.fixture
def committed_world(transactional_db):
    return make_world()


def _read(world, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        found = dashboard(world.event, user=world.owner, **kwargs)
    return found, len(queries)


def _in_one_snapshot(world, *moments):
    """Return the dashboard and its query count at each of `moments` (`now` values), read
    without any commit anywhere in between."""
    for _attempt in range(500):
        before = _snapshot()
        found = [_read(world, now=moment) for moment in moments]
        if _snapshot() == before:
            return found
    pytest.fail("some other process committed during every attempt")


def test_kept_figures_cost_one_query_while_nothing_is_written(on_postgresql, committed_world):
    now = timezone.now()
    read = _read(committed_world, now=now)[1]

    (first, _), (again, kept) = _in_one_snapshot(committed_world, now, now)

    assert again is first
    assert kept == 1 < read  # the snapshot only


def test_kept_figures_follow_every_commit_at_once(committed_world):
    before, _ = _read(committed_world)
    RegistrationFactory(event=committed_world.event, status=RegistrationStatus.AWAITING_APPROVAL)
    after, _ = _read(committed_world)
    OutgoingMailFactory(event=committed_world.event, state=MailState.FAILED)
    mail_failed, _ = _read(committed_world)

    assert (before.awaiting_approval, after.awaiting_approval) == (0, 1)
    assert (after.mails_failed, mail_failed.mails_failed) == (0, 1)


def test_kept_figures_end_when_a_hold_runs_out(on_postgresql, committed_world):
    now = timezone.now()
    registration = RegistrationFactory(
        event=committed_world.event,
        status=RegistrationStatus.PENDING_PAYMENT,
        hold_until=now + dt.timedelta(minutes=5),
    )
    AttendeeFactory(registration=registration, ticket_type=committed_world.ticket_type)

    (held, _), (still, kept), (expired, read) = _in_one_snapshot(
        committed_world,
        now,
        now + dt.timedelta(minutes=4),
        now + dt.timedelta(minutes=6),
    )

    assert still is held and kept == 1
    assert [q.held for q in held.capacity.quotas] == [1]
    assert [q.held for q in expired.capacity.quotas] == [0] and read > 1


def test_kept_figures_end_at_midnight_for_what_falls_due(committed_world):
    now = timezone.now()

    (first, _), (tomorrow, read) = _in_one_snapshot(
        committed_world, now, now + dt.timedelta(days=1)
    )

    assert tomorrow is not first and read > 1


def test_figures_are_read_afresh_inside_a_transaction(committed_world):
    with transaction.atomic():
        before, _ = _read(committed_world)
        RegistrationFactory(
            event=committed_world.event, status=RegistrationStatus.AWAITING_APPROVAL
        )
        after, _ = _read(committed_world)

    assert (before.awaiting_approval, after.awaiting_approval) == (0, 1)


def test_figures_are_kept_per_set_of_permissions(committed_world):
    owner, _ = _read(committed_world)
    reader = UserFactory()
    TeamMemberFactory(
        organiser=committed_world.organiser,
        user=reader,
        role=Role.CHECKIN,
        event=committed_world.event,
    )

    seen = dashboard(committed_world.event, user=reader)

    assert owner.money is not None and seen.money is None


def test_a_lists_count_is_kept_while_nothing_is_written_and_follows_a_commit(
    client, committed_world
):
    from goedeburen.backoffice.views.registrations import KeptCountPaginator
    from goedeburen.registration.models import Attendee as AttendeeModel

    rows = AttendeeModel.objects.filter(registration__event=committed_world.event)
    for _attempt in range(500):
        # Both reads in one snapshot: a commit elsewhere before the second makes it count.
        mark = _snapshot()
        before = KeptCountPaginator(rows, 50).count
        with CaptureQueriesContext(connection) as kept:
            again = KeptCountPaginator(rows, 50).count
        if _snapshot() == mark:
            break
    registration = RegistrationFactory(event=committed_world.event)
    AttendeeFactory(registration=registration, ticket_type=committed_world.ticket_type)

    assert again == before and len(kept) == 1  # the snapshot, no count
    assert KeptCountPaginator(rows, 50).count == before + 1
    client.force_login(committed_world.owner)
    response = client.get(url("attendee.list", committed_world))
    assert response.context["paginator"].count == before + 1


def test_a_kept_attendee_table_follows_a_commit_and_each_roles_view(client, committed_world):
    from goedeburen.registration.models import Attendee as AttendeeModel

    attendee = AttendeeModel.objects.filter(registration__event=committed_world.event).first()
    AttendeeModel.objects.filter(pk=attendee.pk).update(email="voor@example.org")
    client.force_login(committed_world.owner)
    before = client.get(url("attendee.list", committed_world)).content.decode()
    AttendeeModel.objects.filter(pk=attendee.pk).update(email="na@example.org")
    after = client.get(url("attendee.list", committed_world)).content.decode()
    door = UserFactory()
    TeamMemberFactory(
        organiser=committed_world.organiser,
        user=door,
        role=Role.CHECKIN,
        event=committed_world.event,
    )
    client.force_login(door)
    names_only = client.get(url("attendee.list", committed_world)).content.decode()

    assert "voor@example.org" in before and "voor@example.org" not in after
    assert "na@example.org" in after
    assert attendee.family_name in names_only and "na@example.org" not in names_only
