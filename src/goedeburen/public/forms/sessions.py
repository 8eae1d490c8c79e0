"""The participant's choice of sessions: per round, an ordered list of selects (1st, 2nd …).

Works without JavaScript on any phone: each place is a plain select of the round's sessions.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .registration import _StyledForm

ORDINALS = [
    pgettext_lazy("choice", "1st choice"),
    pgettext_lazy("choice", "2nd choice"),
    pgettext_lazy("choice", "3rd choice"),
    pgettext_lazy("choice", "4th choice"),
    pgettext_lazy("choice", "5th choice"),
    pgettext_lazy("choice", "6th choice"),
    pgettext_lazy("choice", "7th choice"),
    pgettext_lazy("choice", "8th choice"),
]


class RankingForm(_StyledForm):
    """One attendee's choices for every round they can choose in."""

    def __init__(self, *args, attendee, rounds, places: int, current, pinned, **kwargs):
        super().__init__(*args, prefix=f"attendee-{attendee.pk}", **kwargs)
        self.attendee = attendee
        self.groups = []  # (round, [bound fields], pinned session or None)
        for round_ in rounds:
            sessions = list(round_.sessions.all())
            if round_.pk in pinned:
                self.groups.append((round_, [], pinned[round_.pk]))
                continue
            choices = [("", _("— no choice —"))] + [(str(s.pk), s.t.title) for s in sessions]
            chosen = current.get(round_.pk, [])
            names = []
            for k in range(min(places, len(sessions))):
                name = f"r{round_.pk}-{k + 1}"
                self.fields[name] = forms.ChoiceField(
                    label=ORDINALS[k] if k < len(ORDINALS) else str(k + 1),
                    choices=choices,
                    required=False,
                    initial=str(chosen[k]) if k < len(chosen) else "",
                )
                self.fields[name].widget.attrs["class"] = (
                    "utrecht-select utrecht-select--html-select"
                )
                names.append(name)
            self.groups.append((round_, names, None))

    def bound_groups(self):
        return [(r, [self[name] for name in names], pin) for r, names, pin in self.groups]

    def clean(self):
        data = super().clean()
        for _round, names, _pin in self.groups:
            picked = [data.get(name) for name in names if data.get(name)]
            if len(picked) != len(set(picked)):
                # Named on the later duplicate, where a person looks after choosing.
                seen = set()
                for name in names:
                    value = data.get(name)
                    if value and value in seen:
                        self.add_error(
                            name, _("You chose this session already; choose another or none.")
                        )
                    seen.add(value)
        return data

    def rankings(self) -> dict[int, list[int]]:
        """Return round id → session ids in the order chosen (gaps closed)."""
        return {
            round_.pk: [int(self.cleaned_data[name]) for name in names if self.cleaned_data[name]]
            for round_, names, _pin in self.groups
            if names
        }
