"""What the event sells: ticket types (prices, VAT, sale window, approval) and the quotas
they share, with their live use; and the mix of stakeholder groups it aims for. Writes go
through `registration.services`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from goedeburen.backoffice.forms.tickets import QuotaForm, TargetMixForm, TicketTypeForm
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.registration import queries, services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Quota, TicketType

from . import base


def _as_validation_error(refused: RegistrationError, field: str | None) -> ValidationError:
    return ValidationError({field: [refused.message]} if field else refused.message)


class TicketTypeMixin:
    model = TicketType
    name = "ticket_type"

    def save_part(self, instance, form) -> None:
        try:
            services.save_ticket_type(
                instance,
                event=self.event,
                quotas=form.cleaned_data["quotas"],
                by=self.request.user,
            )
        except RegistrationError as refused:
            raise _as_validation_error(refused, "quotas") from refused

    def delete_part(self, instance) -> None:
        services.delete_ticket_type(instance, event=self.event, by=self.request.user)


class TicketTypeListView(TicketTypeMixin, base.EventPartListView):
    # Setting up what the event sells is its editors' work.
    permission_required = "events.change_event"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("quotas")

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        uses = {u.pk: u for u in queries.capacity(self.event, now=timezone.now()).ticket_types}
        kwargs["rows"] = [(t, uses.get(t.pk)) for t in kwargs["object_list"]]
        return kwargs


class TicketTypeCreateView(TicketTypeMixin, base.EventPartCreateView):
    form_class = TicketTypeForm


class TicketTypeUpdateView(TicketTypeMixin, base.EventPartUpdateView):
    form_class = TicketTypeForm


class TicketTypeDeleteView(TicketTypeMixin, base.EventPartDeleteView):
    warning = _(
        "A ticket type that has been booked cannot be deleted; hide it from the form instead."
    )


class QuotaMixin:
    model = Quota
    name = "quota"

    def save_part(self, instance, form) -> None:
        # A second quota of the same name; the seats taken are checked by the service, under
        # the quota's lock (the form's copy of `taken` may be stale).
        instance.validate_constraints(exclude={"taken"})
        try:
            services.save_quota(
                instance if instance.pk else None,
                event=self.event,
                name=instance.name,
                size=instance.size,
                ticket_types=form.cleaned_data["ticket_types"],
                by=self.request.user,
            )
        except RegistrationError as refused:
            field = "size" if refused.code == "size_below_taken" else "ticket_types"
            raise _as_validation_error(refused, field) from refused

    def delete_part(self, instance) -> None:
        services.delete_quota(instance, by=self.request.user)


class QuotaListView(QuotaMixin, base.EventPartListView):
    permission_required = "events.change_event"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("ticket_types")

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        uses = {u.pk: u for u in queries.capacity(self.event, now=timezone.now()).quotas}
        kwargs["rows"] = [(q, uses[q.pk]) for q in kwargs["object_list"]]
        kwargs["total_seats"] = sum(q.size for q in kwargs["object_list"])
        return kwargs


class QuotaCreateView(QuotaMixin, base.EventPartCreateView):
    form_class = QuotaForm


class QuotaUpdateView(QuotaMixin, base.EventPartUpdateView):
    form_class = QuotaForm


class QuotaDeleteView(QuotaMixin, base.EventPartDeleteView):
    warning = _(
        "Its ticket types are then no longer sold unless another quota holds them; "
        "the registrations made stay as they are."
    )


class TargetMixView(EventPermissionMixin, FormView):
    """The share of attendees the event aims for per stakeholder group; the dashboard sets
    the registrations against it."""

    permission_required = "events.change_event"
    form_class = TargetMixForm
    template_name = "backoffice/part_form.html"

    def get_initial(self):
        return {
            role: f"{share.normalize():f}" for role, share in queries.target_mix(self.event).items()
        }

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="target_mix",
            title=_("Target mix"),
            intro=_(
                "Which share of the attendees you aim for in each stakeholder group. The "
                "dashboard shows the registrations next to it."
            ),
            list_url=reverse("backoffice:event.detail", kwargs={"event": self.event.slug}),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.save_target_mix(self.event, shares=form.cleaned_data, by=self.request.user)
        except RegistrationError as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        messages.success(self.request, _("The target mix is saved."))
        return redirect("backoffice:event.detail", event=self.event.slug)
