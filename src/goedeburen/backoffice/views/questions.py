"""The organisers' own questions on the registration form: list, add, change, delete."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from goedeburen.backoffice.forms.questions import QuestionForm
from goedeburen.registration import services
from goedeburen.registration.models import Question

from . import base


class QuestionMixin:
    model = Question
    name = "question"

    def save_part(self, instance, form) -> None:
        services.save_question(
            instance,
            event=self.event,
            options=form.cleaned_data["options"],
            ticket_types=form.cleaned_data["ticket_types"],
            by=self.request.user,
        )

    def delete_part(self, instance) -> None:
        services.delete_question(instance, event=self.event, by=self.request.user)


class QuestionListView(QuestionMixin, base.EventPartListView):
    # The form's questions are part of setting up the event: its editors' work.
    permission_required = "events.change_event"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(answer_count=Count("answers"))
            .prefetch_related("options", "ticket_types")
        )


class QuestionCreateView(QuestionMixin, base.EventPartCreateView):
    form_class = QuestionForm


class QuestionUpdateView(QuestionMixin, base.EventPartUpdateView):
    form_class = QuestionForm

    def get_queryset(self):
        return super().get_queryset().prefetch_related("options")


class QuestionDeleteView(QuestionMixin, base.EventPartDeleteView):
    warning = _("Its options and every answer given to it are deleted with it.")
