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
        self.archived = services.delete_question(instance, event=self.event, by=self.request.user)


class QuestionListView(QuestionMixin, base.EventPartListView):
    # The form's questions are part of setting up the event: its editors' work.
    permission_required = "events.change_event"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(archived=False)
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
    warning = _(
        "A question that has been answered is archived instead: it is no longer asked, and "
        "the answers given stay with the registrations."
    )
    archived_message = _("Question “%(object)s” archived: it is no longer asked.")

    def get_context_data(self, **kwargs):
        kwargs["button"] = _("Archive") if self.object.answers.exists() else None
        return super().get_context_data(**kwargs)
