"""The mailing screen's "paid or not" filter (registered with `mail.segments`)."""

from django.utils.translation import gettext_lazy as _

from goedeburen.mail.segments import SegmentFilter, register_filter

from . import queries

PAID, UNPAID, NOTHING_DUE = "paid", "unpaid", "nothing_due"
CHOICES = [
    (PAID, _("paid")),
    (UNPAID, _("not paid (yet)")),
    (NOTHING_DUE, _("nothing to pay")),
]


def _state(balance: queries.Balance) -> str:
    if balance.due <= 0:
        return NOTHING_DUE
    return PAID if balance.paid >= balance.due else UNPAID


def _apply(attendees, values):
    registration_ids = set(attendees.values_list("registration_id", flat=True))
    wanted = {
        pk
        for pk, balance in queries.balances(registration_ids).items()
        if _state(balance) in values
    }
    return attendees.filter(registration_id__in=wanted)


def register() -> None:
    register_filter(
        SegmentFilter(
            key="payment", label=_("payment"), choices=lambda event: CHOICES, apply=_apply
        )
    )
