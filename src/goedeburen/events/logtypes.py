"""The log actions of events, venues and programmes, with their sentences."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.common.logtypes import LogType, StatusChange, registry

from .models import Event, EventStatus, Role

# The parts saved through `services.save_event_part` / `save_venue_part`, by model name.
PART_MODELS = ("programmeitem", "round", "session", "speaker", "partner", "project")
VENUE_MODELS = ("venue", "room")


def field_labels(model, names) -> str:
    """Return the verbose names of `model`'s fields `names`, joined in the model's order
    ("" for none): PostgreSQL's jsonb keeps no order of keys."""
    order = {f.attname: i for i, f in enumerate(model._meta.fields)}
    labels = []
    for name in sorted(names, key=lambda n: (order.get(n, len(order)), n)):
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # written before a field was renamed or dropped
            labels.append(name)
    return ", ".join(labels)


class EventChanged(LogType):
    """The event's details saved, data `{field: [before, after]}`."""

    def display(self, data, *, show_sensitive=False):
        if not data:
            return _("Event details saved without changes")
        return _("Event details changed: %(fields)s") % {"fields": field_labels(Event, data)}


class PartLogType(LogType):
    """A programme or venue part added, changed or deleted.

    On the event (or venue) the data names the part (`{"object": …}`); on the part itself
    it is the change-set of its fields.
    """

    def __init__(self, *, model_name: str, verb: str):
        sentences = {
            "created": gettext_lazy("%(thing)s added: %(object)s"),
            "changed": gettext_lazy("%(thing)s changed: %(object)s"),
            "deleted": gettext_lazy("%(thing)s deleted: %(object)s"),
        }
        super().__init__(
            action=f"{model_name}.{verb}",
            sentence=sentences[verb],
            example={"object": "Woonkamergesprek 1"},
        )

    def values(self, data, *, show_sensitive):
        model = apps.get_model("events", self.action.partition(".")[0])
        name = data.get("object")
        if name is None:
            name = field_labels(model, [key for key in data if key != "id"])
        return {"thing": capfirst(str(model._meta.verbose_name)), "object": name}

    def display(self, data, *, show_sensitive=False):
        return capfirst(super().display(data, show_sensitive=show_sensitive))


class TeamLogType(LogType):
    """A change of a team: `role` is a role's key (or [before, after]), shown as its label."""

    def values(self, data, *, show_sensitive):
        values = super().values(data, show_sensitive=show_sensitive)
        role = data.get("role")
        if isinstance(role, list | tuple) and len(role) == 2:
            values["from"], values["to"] = (_role_label(r) for r in role)
        else:
            values["role"] = _role_label(role)
        return values


def _role_label(value) -> str:
    if value in Role.values:
        return str(Role(value).label)
    return "" if value is None else str(value)


def register() -> None:
    registry.register(
        LogType(action="event.created", sentence=gettext_lazy("Event created")),
        EventChanged(
            action="event.changed",
            sentence=gettext_lazy("Event details changed: %(fields)s"),
            example={"name_nl": ["Oud", "Nieuw"]},
        ),
        StatusChange(
            action="event.status",
            sentence=gettext_lazy("Status changed from “%(from)s” to “%(to)s”"),
            states=EventStatus,
            example={"status": ["draft", "published"]},
        ),
        LogType(
            action="event.demo_loaded",
            sentence=gettext_lazy("Demo data loaded (%(rows_written)s rows written)"),
            example={"rows_written": 12},
        ),
        *(
            PartLogType(model_name=model_name, verb=verb)
            for model_name in (*PART_MODELS, *VENUE_MODELS)
            for verb in ("created", "changed", "deleted")
        ),
    )
    _person = frozenset({"user", "email"})
    registry.register(
        TeamLogType(
            action="team.invited",
            sentence=gettext_lazy("%(email)s invited as %(role)s"),
            personal=_person,
            example={"email": "ada@example.org", "role": "editor"},
        ),
        TeamLogType(
            action="team.invitation_revoked",
            sentence=gettext_lazy("Invitation of %(email)s as %(role)s withdrawn"),
            personal=_person,
            example={"email": "ada@example.org", "role": "editor"},
        ),
        TeamLogType(
            action="team.joined",
            sentence=gettext_lazy("%(user)s accepted the invitation and is now %(role)s"),
            personal=_person,
            example={"user": "ada", "role": "editor"},
        ),
        TeamLogType(
            action="team.role_changed",
            sentence=gettext_lazy("Role of %(user)s changed from %(from)s to %(to)s"),
            personal=_person,
            example={"user": "ada", "role": ["editor", "owner"]},
        ),
        TeamLogType(
            action="team.role_removed",
            sentence=gettext_lazy("Role %(role)s taken away from %(user)s"),
            personal=_person,
            example={"user": "ada", "role": "editor"},
        ),
        TeamLogType(
            action="team.left",
            sentence=gettext_lazy("%(user)s gave up the role %(role)s"),
            personal=_person,
            example={"user": "ada", "role": "editor"},
        ),
    )
