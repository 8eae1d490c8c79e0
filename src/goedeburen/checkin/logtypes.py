"""The log actions of check-in, badges and certificates, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, registry


def register() -> None:
    registry.register(
        LogType(
            action="checkin.checked_in",
            sentence=_("%(name)s checked in at %(where)s"),
            personal=frozenset({"name"}),
            moments=("at",),
            example={"name": "Ada de Vries", "where": "Hoofdingang", "at": "2027-03-05T09:42"},
        ),
        LogType(
            action="checkin.undone",
            sentence=_("Check-in of %(name)s at %(where)s undone"),
            personal=frozenset({"name"}),
            example={"name": "Ada de Vries", "where": "Hoofdingang"},
        ),
        LogType(
            action="checkin.conflict",
            sentence=_("%(name)s was checked in on two devices while offline; kept once"),
            personal=frozenset({"name"}),
            example={"name": "Ada de Vries", "devices": ["a1b2", "c3d4"]},
        ),
        LogType(
            action="checkin.walk_in",
            sentence=_("Walk-in %(name)s registered at the door"),
            personal=frozenset({"name"}),
            example={"name": "Ada de Vries", "payment": "invoice"},
        ),
        LogType(
            action="checkin.badge_changed",
            sentence=_("Badge details of %(name)s changed"),
            personal=frozenset({"name"}),
            example={"name": "Ada de Vries"},
        ),
        LogType(
            action="checkin.settings_changed",
            sentence=_("Check-in, badge and certificate settings changed"),
            example={"badge_layout": ["a6", "a7"]},
        ),
        LogType(
            action="checkin.certificates_issued",
            sentence=_("%(count)s certificates of attendance issued"),
            example={"count": 120},
        ),
    )
