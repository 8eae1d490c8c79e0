"""The participant chooses sessions through the secret manage link."""

from collections import defaultdict

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from goedeburen.matching import queries as matching_queries
from goedeburen.matching import services as matching_services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.registration.enums import MAY_RANK

from ..forms.sessions import RankingForm
from .manage import ManageMixin


def describe_sessions(rounds) -> None:
    """Give each round `about`: its sessions with hosts, projects (and their places) and the
    other rounds where the same topic is on (one is placed in a topic once)."""
    sessions = [s for r in rounds for s in r.sessions.all()]
    prefetch_related_objects(sessions, "hosts", "projects")
    rounds_of_topic = defaultdict(list)
    for round_ in rounds:
        for session in round_.sessions.all():
            rounds_of_topic[matching_queries.topic_of(session)].append(round_)
    for round_ in rounds:
        round_.about = [
            (
                session,
                [r for r in rounds_of_topic[matching_queries.topic_of(session)] if r != round_],
            )
            for session in round_.sessions.all()
        ]


class SessionChoiceView(ManageMixin, TemplateView):
    """Rank the sessions of every round, for each attendee of the registration."""

    template_name = "public/registration/manage/sessions.html"

    def forms(self, data=None) -> list[RankingForm]:
        rounds = matching_queries.rounds(self.event)
        describe_sessions(rounds)
        attendees = list(self.registration.attendees.all())
        ids = [a.pk for a in attendees]
        current = matching_queries.rankings_by_attendee(ids)
        pins = matching_queries.pins_by_attendee(ids)
        sessions = {s.pk: s for r in rounds for s in r.sessions.all()}
        places = max(len(matching_queries.matching_settings(self.event).rank_costs), 1)
        return [
            RankingForm(
                data,
                attendee=attendee,
                rounds=rounds,
                places=places,
                current=current.get(attendee.pk, {}),
                pinned={r: sessions[s] for r, s in pins.get(attendee.pk, {}).items()},
            )
            for attendee in attendees
        ]

    def get_context_data(self, **kwargs):
        deadline = matching_queries.ranking_deadline(self.event)
        kwargs.update(
            ranking_deadline=deadline,
            can_rank=self.registration.status in MAY_RANK and timezone.now() <= deadline,
        )
        return super().get_context_data(**kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(forms=self.forms()))

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        if not all([form.is_valid() for form in forms]):
            errors = [
                (form[name].auto_id, f"{form.attendee.full_name}: {form[name].label}", error)
                for form in forms
                for name, messages in form.errors.items()
                for error in messages
            ]
            return self.render_to_response(self.get_context_data(forms=forms, errors=errors))
        try:
            for form in forms:
                matching_services.save_rankings(form.attendee, rankings=form.rankings())
        except MatchingError as refused:
            return self.render_to_response(
                self.get_context_data(forms=forms, problem=refused.message)
            )
        return self.done(_("Your choice of sessions is saved."))
