"""Reads of ticket types, seats and registrations that several screens and services share."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from goedeburen.events.models import Event

from . import tokens
from .enums import HELD_STATUSES, RegistrationStatus
from .models import Attendee, Quota, Registration, RegistrationSettings, TicketType


def registration_settings(event: Event) -> RegistrationSettings:
    """Return the event's registration settings, or the defaults when it has none."""
    found = RegistrationSettings.objects.filter(event=event).first()
    return found or RegistrationSettings(event=event)


def takes_seat(*, now: dt.datetime, prefix: str = "registration__") -> Q:
    """Return the condition for an attendee (or, with prefix "", a registration) to hold a seat.

    Confirmed registrations do; held ones only while their hold lasts, so an expired hold
    frees its seats at once, before `release_expired_holds` has tidied its status. A
    waiting-list registration holds the seats offered to it while the offer runs, so that
    nobody else takes them meanwhile.
    """
    held = Q(**{f"{prefix}status__in": HELD_STATUSES}) & (
        Q(**{f"{prefix}hold_until__gt": now}) | Q(**{f"{prefix}hold_until__isnull": True})
    )
    offered = Q(**{f"{prefix}status": RegistrationStatus.WAITING_LIST}) & Q(
        **{f"{prefix}offer_until__gt": now}
    )
    return Q(**{f"{prefix}status": RegistrationStatus.CONFIRMED}) | held | offered


def seats_taken(quota_ids: Iterable[int], *, now: dt.datetime) -> dict[int, int]:
    """Return, per quota id, how many of its seats are taken at `now`."""
    quota_ids = list(quota_ids)
    rows = (
        Attendee.objects.filter(ticket_type__quotas__in=quota_ids)
        .filter(takes_seat(now=now))
        .order_by()
        .values("ticket_type__quotas")
        .annotate(taken=Count("pk"))
    )
    taken = dict.fromkeys(quota_ids, 0)
    taken.update({row["ticket_type__quotas"]: row["taken"] for row in rows})
    return taken


def public_ticket_types(event: Event) -> QuerySet[TicketType]:
    """Return the ticket types the event's pages show, in their order."""
    return TicketType.objects.filter(event=event, visible=True)


def sellable_ticket_types(event: Event, *, now: dt.datetime) -> list[TicketType]:
    """Return the ticket types the public form offers at `now`: visible, on sale, in a quota."""
    candidates = public_ticket_types(event).filter(quotas__isnull=False).distinct()
    return [ticket_type for ticket_type in candidates if ticket_type.is_on_sale(now)]


def ticket_type_quotas(ticket_type_ids: Iterable[int]) -> dict[int, list[Quota]]:
    """Return, per ticket type id, the quotas it counts against."""
    result: dict[int, list[Quota]] = {pk: [] for pk in ticket_type_ids}
    links = Quota.ticket_types.through.objects.filter(tickettype_id__in=list(result))
    quotas = Quota.objects.in_bulk({link.quota_id for link in links})
    for link in links:
        result[link.tickettype_id].append(quotas[link.quota_id])
    return result


def registration_detail(registration_id: int) -> Registration:
    """Return a registration with its event and attendees (and their ticket types)."""
    attendees = Attendee.objects.select_related("ticket_type")
    return (
        Registration.objects.select_related("event")
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .get(pk=registration_id)
    )


def registration_for_manage(*, event: Event, code: str, token: str) -> Registration | None:
    """Return the event's registration with this code when `token` is its manage token.

    Return None for an unknown code and for a wrong token alike, after the same work.
    """
    found = (
        Registration.objects.filter(event=event, code=code.upper())
        .values_list("pk", "manage_token_hash")
        .first()
    )
    pk, stored_hash = found or (None, None)
    if not tokens.manage_token_matches(token, stored_hash):
        return None
    return registration_detail(pk)


def waiting_list(event: Event) -> QuerySet[Registration]:
    """Return the event's waiting-list registrations without a running offer, first come first."""
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.WAITING_LIST, offer_until__isnull=True
    ).order_by("created", "pk")


def registration_for_offer(*, event: Event, code: str, token: str) -> Registration | None:
    """Return the event's registration with this code when `token` is its offer token.

    Return None for an unknown code, a wrong token and a registration without an offer
    alike, after the same work.
    """
    found = (
        Registration.objects.filter(event=event, code=code.upper())
        .values_list("pk", "offer_token_hash")
        .first()
    )
    pk, stored_hash = found or (None, None)
    if not tokens.manage_token_matches(token, stored_hash):
        return None
    return registration_detail(pk)


def edit_deadline(event: Event) -> dt.datetime:
    """Return until when the booker may change their details: the event's setting or its start."""
    return registration_settings(event).edit_deadline or event.starts_at()


def cancellation_is_free(event: Event, *, now: dt.datetime) -> bool:
    """Return whether cancelling at `now` is free under the event's cancellation policy."""
    free_until = registration_settings(event).free_cancellation_until
    return free_until is None or now <= free_until
