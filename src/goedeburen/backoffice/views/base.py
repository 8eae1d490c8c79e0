"""Generic screens for the parts of an event: list, create, edit, delete.

Each screen area subclasses these with its model, form and URL names. The views validate
with a model form and hand the unsaved instance to a service; they never write a model.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DeleteView, ListView, UpdateView

from goedeburen.backoffice.forms.base import ConfirmationForm
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.common import sent_once
from goedeburen.common.exceptions import DomainError
from goedeburen.events import services

# A page with several forms, sent a form it does not have (a tampered or stale `form`).
UNKNOWN_FORM = gettext_lazy(
    "This form was not recognised, so nothing was saved. Use the buttons on this page."
)


class EventPartMixin(EventPermissionMixin):
    """A screen about one kind of part (`model`) of the event in the URL.

    `name` is the first half of the URL names (`partner` for `backoffice:partner.list`);
    `section` marks the event menu's current entry.
    """

    model = None
    name = ""
    section = ""
    change_permission = "events.change_event"

    @property
    def permission_required(self) -> str:
        return self.change_permission

    def get_queryset(self):
        return self.model.objects.filter(event=self.event)

    def get_success_url(self) -> str:
        return reverse(f"backoffice:{self.name}.list", kwargs={"event": self.event.slug})

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", self.section or self.name)
        kwargs.setdefault("list_url", self.get_success_url())
        kwargs.setdefault("verbose_name", self.model._meta.verbose_name)
        kwargs.setdefault("verbose_name_plural", self.model._meta.verbose_name_plural)
        return super().get_context_data(**kwargs)

    # The services for parts of an event; the venue screens swap in the organiser's.
    def save_part(self, instance, form) -> None:
        services.save_event_part(
            instance, event=self.event, by=self.request.user, save_related=form.save_m2m
        )

    def delete_part(self, instance) -> None:
        services.delete_event_part(instance, event=self.event, by=self.request.user)


class EventPartListView(EventPartMixin, ListView):
    permission_required = "events.view_event"

    def get_template_names(self) -> list[str]:
        return [f"backoffice/{self.name}_list.html"]

    def get_context_data(self, **kwargs):
        kwargs["can_change"] = self.request.user.has_perm(self.change_permission, self.event)
        kwargs["create_url"] = reverse(
            f"backoffice:{self.name}.create", kwargs={"event": self.event.slug}
        )
        return super().get_context_data(**kwargs)


class EventPartFormMixin(EventPartMixin):
    form_class = None
    template_name = "backoffice/part_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["event"] = self.event
        return kwargs

    def form_valid(self, form):
        instance = form.save(commit=False)

        def save() -> str:
            self.save_part(instance, form)
            return self.get_success_url()

        try:
            address, before = self.make(save)
        except ValidationError as error:
            form.add_model_errors(error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if not before:
            messages.success(
                self.request,
                capfirst(
                    _("%(thing)s “%(object)s” saved.")
                    % {"thing": self.model._meta.verbose_name, "object": instance}
                ),
            )
        return redirect(address)

    def make(self, save: Callable[[], str]) -> tuple[str, bool]:
        """Call `save`; return the address to go to and whether it was made before."""
        return save(), False


# A form that makes something, sent again (`SentOnceMixin`).
ALREADY_SENT = gettext_lazy(
    "This form had already been sent: what it makes was made once, not twice."
)


class SentOnceMixin:
    """A screen whose form makes something, guarded against sending it twice: the form
    carries a one-time key (`common.sent_once`), and sent again it leads to what the first
    sending made, with a notice, instead of making a second one. The view makes through
    `make`; `fallback_address` is where to go when the first address is not known (a view
    defines its own). First among the bases: its `make` and `post` come before the others'."""

    def get_context_data(self, **kwargs):
        # A form shown again with its errors keeps its key: corrected and sent, it is the
        # same form.
        kwargs.setdefault("sent_once", sent_once.key_in(self.request.POST) or sent_once.new_key())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        return self.sent_before() or super().post(request, *args, **kwargs)

    def sent_before(self) -> HttpResponseRedirect | None:
        """Return the way to what this form made if it was sent before, else None: looked
        up before the form is checked (a view with its own `post` calls it first), so that
        what the first sending made (an event's address) does not refuse the second."""
        made = sent_once.sent_before(sent_once.key_in(self.request.POST), user=self.request.user)
        return redirect(self.lead_to(made)) if made is not None else None

    def make(self, save: Callable[[], str]) -> tuple[str, bool]:
        made = sent_once.make_once(
            sent_once.key_in(self.request.POST), user=self.request.user, make=save
        )
        if made.before:
            return self.lead_to(made), True
        return made.address, False

    def lead_to(self, made: sent_once.Made) -> str:
        """Say the form was sent before; return the address of what it made."""
        messages.info(self.request, ALREADY_SENT)
        return made.address or self.fallback_address()

    def fallback_address(self) -> str:
        return self.get_success_url()


class EventPartCreateView(SentOnceMixin, EventPartFormMixin, CreateView):
    def get_context_data(self, **kwargs):
        kwargs.setdefault(
            "title", capfirst(_("Add %(thing)s") % {"thing": self.model._meta.verbose_name})
        )
        return super().get_context_data(**kwargs)


class EventPartUpdateView(EventPartFormMixin, UpdateView):
    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", str(self.object))
        kwargs["delete_url"] = reverse(
            f"backoffice:{self.name}.delete",
            kwargs={"event": self.event.slug, "pk": self.object.pk},
        )
        return super().get_context_data(**kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The page's title names the object as stored, not as edited so far.
        self.object = self.get_queryset().get(pk=self.object.pk) if form.is_bound else self.object
        return form


class EventPartDeleteView(EventPartMixin, DeleteView):
    """Ask first (GET), delete on a POST that carries the confirmation (`ConfirmationForm`)."""

    template_name = "backoffice/part_confirm_delete.html"
    form_class = ConfirmationForm
    warning = ""
    archived_message = ""

    def form_valid(self, form):
        name = str(self.object)
        try:
            self.delete_part(self.object)
        except DomainError as error:
            return self.render_to_response(self.get_context_data(error=error.message))
        if getattr(self, "archived", False):
            done = self.archived_message % {"object": name}
        else:
            done = capfirst(
                _("%(thing)s “%(object)s” deleted.")
                % {"thing": self.model._meta.verbose_name, "object": name}
            )
        messages.success(self.request, done)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        kwargs["warning"] = self.warning
        kwargs["cancel_url"] = reverse(
            f"backoffice:{self.name}.update",
            kwargs={"event": self.event.slug, "pk": self.object.pk},
        )
        return super().get_context_data(**kwargs)
