"""The log actions of registrations and questions, with their sentences.

`registration.changed` holds one change-set shape whoever edits (see `services.editing`):
`{"changes": {field: [before, after]}, "attendees": [{"attendee": id, "name": …,
"changes": {field: …}, "answers": {question label: …}}]}`, a sensitive field or answer
recorded as `["changed"]` only.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.common.logtypes import (
    CHANGED,
    LogType,
    StatusChange,
    describe_change,
    is_sensitive,
    registry,
)
from goedeburen.events.logtypes import field_labels

from .enums import AttendingRole, RegistrationStatus
from .models import Attendee, Registration


class ChangeSet(LogType):
    """A registration's details changed, by the booker or the organiser."""

    def display(self, data, *, show_sensitive=False):
        parts, hidden = [], False
        groups = [(None, Registration, data.get("changes") or {}, {})]
        for attendee in data.get("attendees") or []:
            groups.append(
                (
                    attendee.get("name") or "",
                    Attendee,
                    attendee.get("changes") or {},
                    attendee.get("answers") or {},
                )
            )
        for name, model, changes, answers in groups:
            # In the model's order: PostgreSQL's jsonb keeps no order of keys.
            order = {f.name: i for i, f in enumerate(model._meta.fields)}
            fields = sorted(changes, key=lambda f: (order.get(f, len(order)), f))
            labelled = [(field_labels(model, [field]), changes[field]) for field in fields]
            labelled += sorted(answers.items())
            for label, change in labelled:
                if is_sensitive(change) and not show_sensitive:
                    hidden = True
                    continue
                text = describe_change(label, change)
                parts.append(f"{name}: {text}" if name else text)
        if hidden:
            parts.append(_("other details that your role does not see"))
        if not parts:
            return str(self.sentence).partition(":")[0]
        return str(self.sentence) % {"changes": "; ".join(parts)}


class Substituted(LogType):
    """An attendee replaced by a colleague, data `{"attendee": id, "name": [before, after]}`."""

    def values(self, data, *, show_sensitive):
        names = data.get("name")
        before, after = names[:2] if isinstance(names, list) and len(names) == 2 else ("", "")
        return {"before": before, "after": after}


class Erased(LogType):
    """Personal data erased by the privacy work (`change_registration(erasure=…)`); data
    `{"erasure": "all" | "special_category", "changes": …, "attendees": …}`, no values."""

    def values(self, data, *, show_sensitive):
        if data.get("erasure") == "special_category":
            what = _("dietary wishes, accessibility needs and other special-category answers")
        elif data.get("erasure") == "consent":
            what = _("a consent was withdrawn")
        else:
            what = _("all personal details")
        return {"what": what}


class TargetMixChanged(LogType):
    """The event's target mix changed, data `{"changes": {group: [before %, after %]}}`."""

    def values(self, data, *, show_sensitive):
        changes = data.get("changes") or {}
        labels = dict(AttendingRole.choices)
        parts = [
            describe_change(str(labels.get(role, role)), change)
            for role, change in sorted(changes.items())
        ]
        return {"changes": "; ".join(parts)}


def _status(action: str, sentence, **example) -> StatusChange:
    return StatusChange(
        action=action,
        sentence=sentence,
        states=RegistrationStatus,
        moments=("hold_until", "offer_until"),
        personal=frozenset({"message", "reason"}),
        example={"status": ["awaiting_approval", "confirmed"], **example},
    )


def register() -> None:
    registry.register(
        _status(
            "registration.created",
            gettext_lazy("Registered; status “%(to)s”"),
            status="pending_payment",
            tickets={"Deelname": 1},
            total="125.00",
        ),
        LogType(
            action="registration.on_behalf",
            sentence=gettext_lazy(
                "Registered for someone else by %(by)s, who confirmed that person's consent "
                "(%(at)s)"
            ),
            personal=frozenset({"by"}),
            moments=("at",),
            example={"by": "Carla Zorg", "at": "2018-01-05T10:00:00+01:00"},
        ),
        ChangeSet(
            action="registration.changed",
            sentence=gettext_lazy("Details changed: %(changes)s"),
            personal=frozenset({"changes", "attendees"}),
            example={
                "changes": {"booker_name": ["Bea Boeker", "Bea Bakker"]},
                "attendees": [
                    {
                        "attendee": 1,
                        "name": "Ada de Vries",
                        "changes": {"organisation": ["", "Gemeente"], "dietary_wishes": [CHANGED]},
                        "answers": {"Lunch?": ["nee", "ja"]},
                    }
                ],
            },
        ),
        Erased(
            action="registration.erased",
            sentence=gettext_lazy("Personal data erased: %(what)s"),
            example={
                "erasure": "all",
                "changes": {"booker_name": [CHANGED]},
                "attendees": [{"attendee": 1, "name": "", "changes": {"email": [CHANGED]}}],
            },
        ),
        Substituted(
            action="registration.attendee_substituted",
            sentence=gettext_lazy("%(before)s replaced by a colleague: %(after)s"),
            personal=frozenset({"name"}),
            example={"attendee": 1, "name": ["Ada de Vries", "Cor Collega"]},
        ),
        LogType(
            action="registration.attendee_cancelled",
            sentence=gettext_lazy("%(name)s cancelled (ticket of %(price)s euro): %(reason)s"),
            personal=frozenset({"name", "reason"}),
            example={"attendee": 2, "name": "Cor Collega", "price": "125.00", "reason": "ziek"},
        ),
        LogType(
            action="registration.link_renewed",
            sentence=gettext_lazy("New manage link sent; the old one stopped working"),
        ),
        LogType(
            action="registration.link_sent",
            sentence=gettext_lazy(
                "New manage link sent on request; the old one works until the new one is used"
            ),
        ),
        LogType(
            action="registration.link_taken",
            sentence=gettext_lazy("The new manage link was used; the old one stopped working"),
        ),
        _status(
            "registration.approved",
            gettext_lazy("Approved; status changed from “%(from)s” to “%(to)s”"),
            message="Welkom",
        ),
        _status(
            "registration.rejected",
            gettext_lazy("Rejected; status changed from “%(from)s” to “%(to)s”"),
            message="Helaas",
        ),
        _status(
            "registration.cancelled",
            gettext_lazy("Cancelled (was “%(from)s”): %(reason)s"),
            reason="dubbel",
            free=True,
        ),
        _status(
            "registration.hold_expired",
            gettext_lazy("The seats were no longer held, so the registration was cancelled"),
            hold_until="2018-01-20T12:00:00+00:00",
        ),
        _status(
            "registration.paid",
            gettext_lazy("Paid in full, so confirmed"),
            via="mollie",
        ),
        _status(
            "registration.on_account",
            gettext_lazy("Confirmed; to be paid on invoice"),
        ),
        _status(
            "registration.paid_seat_lost",
            gettext_lazy("Paid after the hold ended, but the seats were gone"),
            via="bank_transfer",
        ),
        LogType(
            action="registration.hold_extended",
            sentence=gettext_lazy("Seats held longer, for a bank transfer"),
            example={"hold_until": [None, "2018-01-20T12:00:00+00:00"]},
        ),
        LogType(
            action="registration.hold_shortened",
            sentence=gettext_lazy(
                "Seats held for the usual time only: the bank transfer could not be set up"
            ),
            example={"hold_until": ["2018-02-03T12:00:00+00:00", "2018-01-20T12:30:00+00:00"]},
        ),
        _status(
            "registration.offer_made",
            gettext_lazy("A place from the waiting list offered, until %(offer_until)s"),
            offer_until="2018-01-20T12:00:00+00:00",
        ),
        _status(
            "registration.offer_accepted",
            gettext_lazy("Offered place accepted; status “%(to)s”"),
            offer_until="2018-01-20T12:00:00+00:00",
        ),
        _status(
            "registration.offer_expired",
            gettext_lazy(
                "The offered place was not taken in time, so the registration was cancelled"
            ),
            offer_until="2018-01-20T12:00:00+00:00",
        ),
        LogType(
            action="quota.changed",
            sentence=gettext_lazy("Quota “%(quota)s” saved: %(seats)s seats"),
            example={"quota": "Zaal", "seats": 200, "changes": {"size": [150, 200]}},
        ),
        LogType(
            action="quota.deleted",
            sentence=gettext_lazy("Quota “%(quota)s” deleted (%(seats)s seats, %(taken)s taken)"),
            example={"quota": "Zaal", "seats": 200, "taken": 0},
        ),
        LogType(
            action="quota.recounted",
            sentence=gettext_lazy(
                "Seat counter of quota “%(quota)s” repaired: it said %(counted)s, "
                "the registrations hold %(records)s"
            ),
            example={"quota": "Zaal", "counted": 51, "records": 50},
        ),
        LogType(
            action="question.created",
            sentence=gettext_lazy("Question added: %(label)s"),
            example={"question": 1, "label": "Lunch?", "kind": "yes_no", "required": False},
        ),
        LogType(
            action="question.changed",
            sentence=gettext_lazy("Question changed: %(label)s"),
            example={"question": 1, "label": "Lunch?", "kind": "yes_no", "required": False},
        ),
        LogType(
            action="registration.offered_by_hand",
            sentence=gettext_lazy("The organiser offered a place out of turn"),
            example={},
        ),
        LogType(
            action="question.archived",
            sentence=gettext_lazy("Question archived (its answers are kept): %(label)s"),
            example={"question": 1, "label": "Lunch?", "answers": 3},
        ),
        LogType(
            action="ticket_type.created",
            sentence=gettext_lazy("Ticket type added: %(name)s, %(price)s euro"),
            example={"ticket_type": 1, "name": "Deelname", "price": "125.00", "changes": {}},
        ),
        TargetMixChanged(
            action="target_mix.changed",
            sentence=gettext_lazy("Target mix changed (%%): %(changes)s"),
            example={"changes": {"housing_corporation": [None, "25"], "resident": ["30", "25"]}},
        ),
        LogType(
            action="ticket_type.changed",
            sentence=gettext_lazy("Ticket type changed: %(name)s, %(price)s euro"),
            example={
                "ticket_type": 1,
                "name": "Deelname",
                "price": "150.00",
                "changes": {"price": ["125.00", "150.00"]},
            },
        ),
        LogType(
            action="ticket_type.deleted",
            sentence=gettext_lazy("Ticket type deleted: %(name)s"),
            example={"ticket_type": 1, "name": "Deelname", "price": "125.00"},
        ),
        LogType(
            action="question.deleted",
            sentence=gettext_lazy("Question deleted: %(label)s"),
            example={"question": 1, "label": "Lunch?", "answers": 3},
        ),
    )
