"""The figures of an event's dashboard (its first screen), each read in a fixed number of
queries whatever the number of registrations, and each only for the roles that may see it.

Reads only. Every figure is also a link to the list behind it (`Figure.url`); the charts
are drawn on the server as SVG (`bars`), with the same numbers in a table beside them.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language

from goedeburen.checkin.models import CheckIn
from goedeburen.common import snapshot
from goedeburen.events.models import Event
from goedeburen.mail.enums import MailState
from goedeburen.mail.models import OutgoingMail
from goedeburen.matching import queries as matching_queries
from goedeburen.payments import queries as payment_queries
from goedeburen.payments.enums import PaymentState, RefundState, TransactionState
from goedeburen.payments.models import BankTransaction, Invoice, Payment, Refund
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.enums import HELD_STATUSES, AttendingRole, RegistrationStatus
from goedeburen.registration.models import Registration

ZERO = Decimal("0.00")
# The bar chart of registrations over time: its drawing area in SVG units.
CHART_WIDTH, CHART_HEIGHT = 600, 160


@dataclass(frozen=True, kw_only=True)
class Bar:
    """One bar of a chart, with its place in the SVG."""

    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, kw_only=True)
class Day:
    day: dt.date
    count: int
    running: int


@dataclass(frozen=True, kw_only=True)
class Money:
    invoiced: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: Decimal
    overdue_count: int
    # Pending refunds whose last try did not go through (`payments.queries.stuck_refunds`).
    stuck_refunds: int = 0


@dataclass(frozen=True, kw_only=True)
class MixRow:
    role: str
    label: str
    count: int
    share: Decimal  # of all counted attendees, in %
    target: Decimal | None = None  # the event's target share, in %; None: no target

    @property
    def difference(self) -> Decimal | None:
        """Return how many percentage points the share is above (+) or below (−) target."""
        return None if self.target is None else self.share - self.target


@dataclass(kw_only=True)
class Dashboard:
    status_counts: dict[str, int]
    registrations: int
    days: list[Day]
    day_bars: list[Bar]
    capacity: registration_queries.Capacity
    attendees: int = 0  # attendees of confirmed registrations
    money: Money | None = None
    bank_unmatched: int | None = None
    mails_failed: int | None = None
    mix: list[MixRow] | None = None
    mix_limit: Decimal | None = None
    check_ins: int | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def awaiting_approval(self) -> int:
        return self.status_counts[RegistrationStatus.AWAITING_APPROVAL]

    @property
    def waiting_list(self) -> int:
        return self.status_counts[RegistrationStatus.WAITING_LIST]


def bars(values: list[tuple[str, int]], *, width=CHART_WIDTH, height=CHART_HEIGHT) -> list[Bar]:
    """Return the bars of a bar chart of `values` (label, value) in a width × height area."""
    if not values:
        return []
    top = max(value for _label, value in values) or 1
    step = width / len(values)
    gap = min(step * 0.2, 4)
    found = []
    for index, (label, value) in enumerate(values):
        bar_height = height * value / top
        found.append(
            Bar(
                label=label,
                value=value,
                x=round(index * step + gap / 2, 2),
                y=round(height - bar_height, 2),
                width=round(step - gap, 2),
                height=round(bar_height, 2),
            )
        )
    return found


def registration_figures(event: Event) -> tuple[dict[str, int], list[Day]]:
    """Return how many of the event's registrations are in each status (0 for none) and the
    registrations made per day (every status) with the running total, in one query."""
    rows = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day", "status")
        .annotate(count=Count("pk"))
    )
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    per_day: dict[dt.date, int] = {}
    for day, status, count in rows:
        counts[status] += count
        per_day[day] = per_day.get(day, 0) + count
    days, running = [], 0
    for day in sorted(per_day):
        running += per_day[day]
        days.append(Day(day=day, count=per_day[day], running=running))
    return counts, days


def money(event: Event, *, today: dt.date) -> Money:
    """Return what the event invoiced (net of credit notes), what was paid (less refunds),
    what its open invoices still owe and how much of that is past its due date."""
    invoiced = Invoice.objects.filter(event=event).aggregate(total=Sum("total"))["total"] or ZERO
    paid = (
        Payment.objects.filter(registration__event=event, state=PaymentState.PAID).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    refunded = (
        Refund.objects.filter(
            payment__registration__event=event,
            state__in=[RefundState.PENDING, RefundState.REFUNDED],
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    open_invoices = payment_queries.open_invoices(event)
    overdue = [
        (invoice, balance)
        for invoice, balance in open_invoices
        if invoice.due_date and invoice.due_date < today
    ]
    return Money(
        invoiced=invoiced,
        paid=paid - refunded,
        outstanding=sum((balance.open for _i, balance in open_invoices), ZERO),
        overdue=sum((balance.open for _i, balance in overdue), ZERO),
        overdue_count=len(overdue),
        stuck_refunds=payment_queries.stuck_refunds(event).count(),
    )


def stakeholder_mix(event: Event, *, counts: dict[str, int]) -> list[MixRow]:
    """Return the attending roles of the attendees who hold a seat (confirmed or held),
    each with the event's target share for it, from `counts`: role → attendees counted in
    their quotas (`registration.queries.attendee_figures`)."""
    total = sum(counts.values())
    targets = registration_queries.target_mix(event)
    return [
        MixRow(
            role=role.value,
            label=str(role.label),
            count=counts.get(role.value, 0),
            share=(Decimal(100 * counts.get(role.value, 0)) / total).quantize(Decimal("0.1"))
            if total
            else Decimal("0.0"),
            target=targets.get(role.value),
        )
        for role in AttendingRole
    ]


# The permissions that decide which figures a dashboard shows: (permission, of the organiser).
PERMISSIONS = (
    ("registration.view_registrations", False),
    ("payments.view_payments", False),
    ("payments.view_bank", True),
    ("events.change_event", False),
    ("registration.view_special_category", False),
    ("checkin.view_lists", False),
)


def dashboard(event: Event, *, user, now: dt.datetime | None = None) -> Dashboard:
    """Return the dashboard of `event` as `user` may see it.

    Its figures are exact, and kept while the database snapshot stays the same
    (`common.snapshot`) until a hold runs out or a due date passes at midnight: twenty staff
    members looking at a quiet event then cost one query each instead of ~13 (10,000
    attendees: ~30 ms of CPU).
    """
    now = now or timezone.now()
    granted = tuple(
        user.has_perm(permission, event.organiser if of_organiser else event)
        for permission, of_organiser in PERMISSIONS
    )
    return snapshot.kept(
        ("dashboard", event.pk, granted, get_language(), get_script_prefix()),
        lambda: _read(event, dict(zip(PERMISSIONS, granted, strict=True)), now=now),
        until=lambda: _valid_until(event, now=now),
        now=now,
    )


def _valid_until(event: Event, *, now: dt.datetime) -> dt.datetime:
    """Return the first moment after `now` at which the figures read at `now` may change
    without a write: the end of a hold still running, or the next midnight (due dates)."""
    today = timezone.localdate(now)
    midnight = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    next_hold_end = Registration.objects.filter(
        event=event, status__in=HELD_STATUSES, hold_until__gt=now
    ).aggregate(first=Min("hold_until"))["first"]
    return min(midnight, next_hold_end) if next_hold_end else midnight


def _read(event: Event, granted: dict, *, now: dt.datetime) -> Dashboard:
    may = lambda permission, of_organiser=False: granted[(permission, of_organiser)]  # noqa: E731
    counts, days = registration_figures(event)
    attendees = registration_queries.attendee_figures(event, now=now)
    found = Dashboard(
        status_counts=counts,
        registrations=sum(counts.values()),
        days=days,
        day_bars=bars([(f"{d.day:%Y-%m-%d}", d.count) for d in days]),
        capacity=registration_queries.capacity(event, now=now, per_type=attendees.per_type),
        attendees=attendees.confirmed,
    )
    slug = event.slug
    if may("registration.view_registrations"):
        # Only to whom the lists open: a host or a caterer sees the figures without links.
        registrations_url = reverse("backoffice:registration.list", kwargs={"event": slug})
        found.links = {
            status: f"{registrations_url}?{urlencode({'status': status})}"
            for status in RegistrationStatus.values
        }
        found.links["all"] = registrations_url
        found.links[RegistrationStatus.WAITING_LIST] = reverse(
            "backoffice:waiting_list", kwargs={"event": slug}
        )
    found.links["quotas"] = reverse("backoffice:capacity", kwargs={"event": slug})
    if may("payments.view_payments"):
        found.money = money(event, today=timezone.localdate(now))
        found.links["invoices"] = reverse("backoffice:invoice.list", kwargs={"event": slug})
        found.links["payments"] = reverse("backoffice:payment.overview", kwargs={"event": slug})
    if may("payments.view_bank", of_organiser=True):
        found.bank_unmatched = BankTransaction.objects.filter(
            organiser=event.organiser, statement__event=event, state=TransactionState.UNMATCHED
        ).count()
        found.links["bank"] = reverse("backoffice:bank.unmatched", kwargs={"event": slug})
    if may("events.change_event"):
        found.mails_failed = OutgoingMail.objects.filter(
            event=event, state=MailState.FAILED
        ).count()
        found.links["mail"] = (
            reverse("backoffice:mail.list", kwargs={"event": slug}) + "?state=failed"
        )
    if may("registration.view_special_category"):
        found.mix = stakeholder_mix(event, counts=attendees.seated_per_role)
        found.mix_limit = matching_queries.matching_settings(event).max_group_share
        found.links["attendees"] = reverse("backoffice:attendee.list", kwargs={"event": slug})
        if may("events.change_event"):
            found.links["target_mix"] = reverse("backoffice:target_mix", kwargs={"event": slug})
    if may("checkin.view_lists"):
        found.check_ins = CheckIn.objects.filter(
            event=event, session__isnull=True, undone__isnull=True
        ).count()
        found.links["check_ins"] = reverse("backoffice:checkin.lists", kwargs={"event": slug})
    return found


# The dashboards as rendered, by their figures and language (`render`).
_RENDERED: dict[tuple[str, str | None], str] = {}
_RENDERED_KEPT = 64


def render(found: Dashboard) -> str:
    """Return the dashboard's HTML (backoffice/includes/dashboard.html).

    The section shows nothing but the figures (every one of them, its links and labels in
    `found`'s repr) in the active language, so the HTML is kept per (repr, language): while
    the figures stay the same, every staff member's view of them costs no rendering (~4 ms
    of CPU). The figures themselves are read on every request.
    """
    key = (repr(found), get_language())
    html = _RENDERED.get(key)
    if html is None:
        html = _RENDERED[key] = render_to_string(
            "backoffice/includes/dashboard.html", {"dashboard": found}
        )
        if len(_RENDERED) > _RENDERED_KEPT:
            _RENDERED.pop(next(iter(_RENDERED)))
    return html
