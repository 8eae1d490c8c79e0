"""The organiser's evaluation survey: build it, open and close it, read and export results."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from goedeburen.backoffice import exports
from goedeburen.checkin import exports as files
from goedeburen.survey import results, services
from goedeburen.survey.exceptions import SurveyError
from goedeburen.survey.models import SurveyQuestion

from ..forms.survey import QuestionForm, SurveyForm
from ..permissions import EventPermissionMixin
from .base import UNKNOWN_FORM


class SurveyBuildView(EventPermissionMixin, TemplateView):
    """The survey's settings, its questions, and opening or closing it."""

    permission_required = "survey.change_survey"
    template_name = "backoffice/survey/build.html"

    def get_context_data(self, **kwargs):
        survey = services.survey_of(self.event)
        kwargs.setdefault("form", SurveyForm(instance=survey, event=self.event))
        kwargs.setdefault("question_form", QuestionForm())
        kwargs.update(
            section="survey",
            survey=survey,
            questions=list(survey.questions.prefetch_related("options")) if survey.pk else [],
            list_url="",
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        survey = services.survey_of(self.event)
        action = request.POST.get("form")
        try:
            if action == "settings":
                form = SurveyForm(request.POST, instance=survey, event=self.event)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                services.save_survey(form.save(commit=False), event=self.event, by=request.user)
                messages.success(request, _("The survey is saved."))
            elif action == "question":
                form = QuestionForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(question_form=form))
                data = form.cleaned_data
                services.add_question(
                    survey,
                    kind=data["kind"],
                    label_nl=data["label_nl"],
                    label_en=data["label_en"],
                    options=data["options"].splitlines(),
                    per_session=data["per_session"],
                    required=data["required"],
                    by=request.user,
                )
                messages.success(request, _("The question is added."))
            elif action == "delete" and survey.pk:
                pk = request.POST.get("question", "")
                question = get_object_or_404(
                    SurveyQuestion, survey=survey, pk=int(pk) if pk.isdecimal() else 0
                )
                services.delete_question(question, by=request.user)
                messages.success(request, _("The question is deleted."))
            elif action in ("open", "closed") and survey.pk:
                services.set_state(survey, state=action, by=request.user)
                messages.success(
                    request, _("The survey is now: %(s)s") % {"s": survey.get_state_display()}
                )
            else:
                messages.error(request, UNKNOWN_FORM)
        except SurveyError as refused:
            messages.error(request, refused.message)
        return HttpResponseRedirect(request.path)


class SurveyResultsView(EventPermissionMixin, TemplateView):
    """Results per question and per session, as charts with their numbers; open answers."""

    permission_required = "survey.view_results"
    template_name = "backoffice/survey/results.html"

    def get_context_data(self, **kwargs):
        survey = services.survey_of(self.event)
        total, found = results.results(survey) if survey.pk else (0, [])
        kwargs.update(
            section="survey_results",
            survey=survey,
            total=total,
            results=found,
            min_group=results.MIN_GROUP,
        )
        return super().get_context_data(**kwargs)


class SurveyExportView(EventPermissionMixin, TemplateView):
    """The responses as CSV or XLSX (an anonymous survey only from 5 responses on)."""

    permission_required = "survey.view_results"

    def get(self, request, *args, **kwargs):
        # The URL takes any suffix: another would be CSV under a name the address chose, and a
        # line break in it a header Django refuses (a 500).
        if self.kwargs["format"] not in exports.FORMATS:
            raise Http404
        survey = services.survey_of(self.event)
        total = survey.responses.count() if survey.pk else 0
        if survey.pk is None or (survey.anonymous and total < results.MIN_GROUP):
            messages.error(request, _("Too few answers to export without telling who gave them."))
            return HttpResponseRedirect(
                reverse("backoffice:survey.results", kwargs={"event": self.event.slug})
            )
        rows = results.export_rows(survey)
        if self.kwargs["format"] == "xlsx":
            # The lists' writer: a sheet written row by row. Reading back each row as it was
            # appended scanned the whole sheet every time (2,000 responses: 26 s).
            content = files.as_xlsx(rows[0], rows[1:], sheet="Evaluation")
            content_type = files.XLSX_TYPE
        else:
            # As every list: semicolons (a Dutch spreadsheet's separator), formulas defused.
            content, content_type = files.as_csv(rows[0], rows[1:]), files.CSV_TYPE
        response = HttpResponse(content, content_type=content_type)
        filename = f"{self.event.slug}-evaluation.{self.kwargs['format']}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
