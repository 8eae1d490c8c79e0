"""Forms of the assignment screens: the rules, moving a person, pinning a host or speaker."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.matching.building import cost_limit
from goedeburen.matching.models import MatchingSettings
from goedeburen.registration.enums import AttendingRole

from .base import formfield, style


class MatchingSettingsForm(forms.ModelForm):
    rank_costs = forms.CharField(
        label=_("cost of a 1st, 2nd, 3rd … choice"),
        help_text=_("Whole numbers separated by commas, lowest first, e.g. 0, 1, 3, 6, 10."),
    )
    spread_roles = forms.MultipleChoiceField(
        label=_("roles to spread evenly over the living-room conversations"),
        choices=AttendingRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MatchingSettings
        formfield_callback = formfield
        fields = [
            "ranking_deadline",
            "max_group_share",
            "spread_roles",
            "rank_costs",
            "unranked_cost",
            "avoid_repeat_meetings",
            "time_limit",
        ]
        widgets = {
            "ranking_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["rank_costs"] = ", ".join(str(c) for c in self.instance.rank_costs)
        for field in self.fields.values():
            style(field)

    def clean_rank_costs(self):
        raw = self.cleaned_data["rank_costs"]
        try:
            costs = [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                _("Give whole numbers separated by commas, such as 0, 1, 3.")
            ) from None
        if not costs or any(c < 0 for c in costs) or len(costs) > 8:
            raise forms.ValidationError(
                _("Give one to eight whole numbers of 0 or more, such as 0, 1, 3.")
            )
        return costs

    def clean(self):
        cleaned = super().clean()
        costs = cleaned.get("rank_costs")
        unranked = cleaned.get("unranked_cost")
        if costs is None or unranked is None:
            return cleaned
        # The solver adds costs up exactly only so far (as an instance file's are held to):
        # beyond it an optimum may be reported wrongly, or none found at all.
        most, slots = cost_limit(self.instance.event, costs=[*costs, unranked])
        if max(*costs, unranked) > most:
            message = _(
                "These costs are too large to be added up exactly: with %(slots)d "
                "participant-rounds, no cost may be more than %(most)d."
            ) % {"slots": slots, "most": most}
            field = "rank_costs" if max(costs) > most else "unranked_cost"
            self.add_error(field, message)
        return cleaned


class MoveForm(forms.Form):
    attendee = forms.TypedChoiceField(label=_("Participant"), coerce=int)
    session = forms.TypedChoiceField(label=_("To session"), coerce=int)

    def __init__(self, *args, attendees, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendee"].choices = [(a.pk, a.full_name) for a in attendees]
        self.fields["session"].choices = [
            (s.pk, f"{s.round.t.title}: {s.t.title}") for s in sessions
        ]
        for field in self.fields.values():
            style(field)


class PinForm(MoveForm):
    session = forms.TypedChoiceField(label=_("Always in session"), coerce=int)


class SessionHostForm(forms.Form):
    """Link a host's login to a session, so that they see its participant list."""

    user = forms.TypedChoiceField(label=_("Host (team member with the host role)"), coerce=int)
    session = forms.TypedChoiceField(label=_("Session"), coerce=int)

    def __init__(self, *args, hosts, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(u.pk, u.get_full_name() or u.get_username()) for u in hosts]
        self.fields["session"].choices = [
            (s.pk, f"{s.round.t.title}: {s.t.title}") for s in sessions
        ]
        for field in self.fields.values():
            style(field)
