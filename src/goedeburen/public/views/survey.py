"""The evaluation survey behind the personal link in the thank-you mail."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from goedeburen.survey import services
from goedeburen.survey.exceptions import SurveyError
from goedeburen.survey.models import QuestionKind, Survey, SurveyState
from goedeburen.survey.tokens import attendee_for

from .pages import EventPageMixin


@method_decorator(never_cache, name="dispatch")
class SurveyView(EventPageMixin, TemplateView):
    """Ask the person's questions once; an unknown or dead link is a 404."""

    template_name = "public/survey.html"
    cache_seconds = 0

    def setup_survey(self):
        self.attendee = attendee_for(self.kwargs["token"], event=self.event)
        self.survey = Survey.objects.filter(event=self.event).first()
        if self.attendee is None or self.survey is None or self.survey.state == SurveyState.DRAFT:
            raise Http404

    def get(self, request, *args, **kwargs):
        self.setup_survey()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.setup_survey()
        asked = services.questions_for(self.survey, self.attendee)
        answers = {}
        for item in asked:
            if item.question.kind == QuestionKind.MULTIPLE:
                answers[item.key] = request.POST.getlist(item.key)
            else:
                answers[item.key] = request.POST.get(item.key, "")
        try:
            services.submit_response(self.survey, attendee=self.attendee, answers=answers)
        except SurveyError as refused:
            return self.render_to_response(
                self.get_context_data(problem=refused.message, given=request.POST)
            )
        return redirect(request.path + "?done=1")

    def get_context_data(self, **kwargs):
        answered = services.has_answered(self.survey, self.attendee)
        asked = [] if answered else services.questions_for(self.survey, self.attendee)
        given = kwargs.get("given")
        items = []
        for item in asked:
            chosen = given.getlist(item.key) if given is not None else []
            items.append({"asked": item, "key": item.key, "chosen": chosen})
        kwargs.update(
            survey=self.survey,
            items=items,
            answered=answered,
            thanks=answered and self.request.GET.get("done") == "1",
            closed=self.survey.state != SurveyState.OPEN,
            scale=[str(n) for n in range(1, 6)],
            scale_labels={"1": _("very poor"), "5": _("very good")},
        )
        return super().get_context_data(**kwargs)
