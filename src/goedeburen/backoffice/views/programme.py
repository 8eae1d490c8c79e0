"""The timetable: programme items everyone attends, rounds, and the sessions in a round."""

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from goedeburen.backoffice.forms.programme import ProgrammeItemForm, RoundForm, SessionForm
from goedeburen.common.text import natural_key
from goedeburen.events.models import ProgrammeItem, Round, Session

from . import base


class ItemMixin:
    model = ProgrammeItem
    name = "item"


class ItemListView(ItemMixin, base.EventPartListView):
    def get_queryset(self):
        return super().get_queryset().select_related("room").prefetch_related("speakers")


class ItemCreateView(ItemMixin, base.EventPartCreateView):
    form_class = ProgrammeItemForm


class ItemUpdateView(ItemMixin, base.EventPartUpdateView):
    form_class = ProgrammeItemForm


class ItemDeleteView(ItemMixin, base.EventPartDeleteView):
    pass


class RoundMixin:
    model = Round
    name = "round"


class RoundListView(RoundMixin, base.EventPartListView):
    def get_queryset(self):
        return super().get_queryset().annotate(session_count=Count("sessions"))


class RoundCreateView(RoundMixin, base.EventPartCreateView):
    form_class = RoundForm


class RoundUpdateView(RoundMixin, base.EventPartUpdateView):
    form_class = RoundForm


class RoundDeleteView(RoundMixin, base.EventPartDeleteView):
    warning = _("The sessions in this round are deleted with it.")


class SessionMixin:
    model = Session
    name = "session"

    def get_queryset(self):
        return Session.objects.filter(round__event=self.event).select_related("round", "room")


class SessionListView(SessionMixin, base.EventPartListView):
    """The sessions, grouped by round."""

    def get_queryset(self):
        sessions = Session.objects.select_related("room").prefetch_related("hosts")
        return Round.objects.filter(event=self.event).prefetch_related(
            Prefetch("sessions", queryset=sessions)
        )

    def get_context_data(self, **kwargs):
        rounds = list(self.object_list)
        for round_ in rounds:
            # In their order, then naturally by title: Huiskamer 2 before Huiskamer 10.
            round_.sorted_sessions = sorted(
                round_.sessions.all(), key=lambda s: (s.order, natural_key(s.title_nl))
            )
        return super().get_context_data(rounds=rounds, **kwargs)


class SessionCreateView(SessionMixin, base.EventPartCreateView):
    form_class = SessionForm

    def get_initial(self):
        # The round list links here with ?round=<id>; the form only offers this event's rounds.
        return {"round": self.request.GET.get("round", "")}


class SessionUpdateView(SessionMixin, base.EventPartUpdateView):
    form_class = SessionForm


class SessionDeleteView(SessionMixin, base.EventPartDeleteView):
    pass
