from goedeburen.events.models import ProgrammeItem, Round, Session

from .base import BackofficeForm, event_rooms

_TEXTS = ["title_nl", "title_en", "description_nl", "description_en"]


class ProgrammeItemForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = ProgrammeItem
        fields = ["kind", "start", "end", *_TEXTS, "room", "speakers", "projects"]

    def limit_choices(self) -> None:
        self.fields["room"].queryset = event_rooms(self.event)
        self.fields["speakers"].queryset = self.event.speakers.all()
        self.fields["projects"].queryset = self.event.projects.all()


class RoundForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = Round
        fields = ["start", "end", *_TEXTS]


class SessionForm(BackofficeForm):
    class Meta(BackofficeForm.Meta):
        model = Session
        fields = [
            "round",
            "kind",
            *_TEXTS,
            "room",
            "capacity",
            "start",
            "end",
            "hosts",
            "projects",
            "order",
        ]

    def limit_choices(self) -> None:
        # Only this event's rounds: a round elsewhere is refused as an invalid choice.
        self.fields["round"].queryset = self.event.rounds.all()
        self.fields["room"].queryset = event_rooms(self.event)
        self.fields["hosts"].queryset = self.event.speakers.all()
        self.fields["projects"].queryset = self.event.projects.all()
