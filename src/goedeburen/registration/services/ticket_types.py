"""Keep the ticket types an event sells: create, change (with the quotas each counts
against) and delete one. The back office's hooks.

A price, a VAT rate or what a ticket includes changes what is sold from now on only: an
attendee keeps the price and VAT rate of the moment they booked (`Attendee.price`), so
pending registrations and issued invoices keep their amounts.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event

from ..exceptions import RegistrationError
from ..models import Quota, TicketType
from .quotas import set_ticket_type_quotas

FOREIGN_QUOTA = _("Choose quotas of this event only.")
TICKET_TYPE_IN_USE = _(
    "“%(ticket)s” is booked %(count)d times, so it cannot be deleted: hide it from the "
    "registration form instead."
)

# The fields whose changes the log names (the texts are long; their change is enough).
_LOGGED = ("name_nl", "price", "vat_rate", "vat_exemption", "visible", "needs_approval")


def save_ticket_type(
    ticket_type: TicketType, *, event: Event, quotas: Iterable[Quota], by
) -> TicketType:
    """Validate and save `ticket_type` of `event`, counting against exactly `quotas`.

    Raise `ValidationError` (by field) when a rule of the model is broken or a quota is
    of another event, and `RegistrationError` ("size_below_taken") when a quota would
    then hold more seats taken than it has; nothing is saved then.

    Side effects: log entry on the event with the changes; one per quota whose ticket
    types changed (`set_ticket_type_quotas`).
    """
    ticket_type.event = event
    quotas = list(quotas)
    errors: dict[str, list] = {}
    try:
        ticket_type.full_clean(exclude=["event"])
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if any(q.event_id != event.pk for q in quotas):
        errors.setdefault("quotas", []).append(FOREIGN_QUOTA)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        created = ticket_type.pk is None
        before = (
            {}
            if created
            else dict(TicketType.objects.filter(pk=ticket_type.pk).values(*_LOGGED).get())
        )
        ticket_type.save()
        set_ticket_type_quotas(ticket_type, quotas=quotas, by=by)
        after = {name: getattr(ticket_type, name) for name in _LOGGED}
        changes = {
            name: [str(before[name]) if name in before else None, str(value)]
            for name, value in after.items()
            if before.get(name) != value
        }
        log_action(
            event,
            action=f"ticket_type.{'created' if created else 'changed'}",
            by=by,
            data={
                "ticket_type": ticket_type.pk,
                "name": ticket_type.name_nl,
                "price": str(ticket_type.price),
                "changes": changes,
            },
        )
    return ticket_type


def delete_ticket_type(ticket_type: TicketType, *, event: Event, by) -> None:
    """Delete `ticket_type` of `event`; refused (`RegistrationError`, "in_use") once anyone
    booked it: their bookings, invoices and history keep pointing at it.

    Side effects: log entry on the event.
    """
    if ticket_type.event_id != event.pk:
        raise ValueError("The ticket type belongs to another event.")
    with transaction.atomic():
        locked = TicketType.objects.select_for_update().get(pk=ticket_type.pk)
        booked = locked.attendees.count()
        if booked:
            raise RegistrationError(
                TICKET_TYPE_IN_USE % {"ticket": locked.name_nl, "count": booked}, code="in_use"
            )
        set_ticket_type_quotas(locked, quotas=[], by=by)
        log_action(
            event,
            action="ticket_type.deleted",
            by=by,
            data={"ticket_type": locked.pk, "name": locked.name_nl, "price": str(locked.price)},
        )
        locked.delete()
