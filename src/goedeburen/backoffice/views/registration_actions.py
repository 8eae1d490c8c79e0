"""The organiser's actions on one registration: approve, reject, cancel, resend the link.

Each is a small confirm page (GET) and the action (POST), which calls one service. The
registration list and detail screens live in `registrations.py`; after an action the
organiser returns to the detail screen when it exists, else to the event's overview.
"""

import abc

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from goedeburen.backoffice.forms.base import ConfirmationForm, style
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.backoffice.views.base import SentOnceMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.common.formfields import TidyCharField
from goedeburen.common.text import tidy_text
from goedeburen.registration import services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.forms import SubstituteForm
from goedeburen.registration.models import Registration

_TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"


class MessageForm(ConfirmationForm):
    message = TidyCharField(
        tidy=tidy_text,
        label=gettext_lazy("Message to the booker"),
        max_length=2000,
        required=False,
        help_text=gettext_lazy("Optional; it goes with the email that tells them."),
        widget=forms.Textarea(attrs={"rows": 4, "class": _TEXTAREA}),
    )


class ReasonForm(ConfirmationForm):
    reason = TidyCharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "Optional; kept in the registration's history and told to the booker."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "class": _TEXTAREA}),
    )


class ConfirmForm(ConfirmationForm):
    """No fields of its own: the button is the confirmation."""


class RegistrationActionView(SentOnceMixin, EventPermissionMixin, FormView, abc.ABC):
    """Confirm and carry out one action on the registration in the URL; the confirmation
    sent twice (a double click) carries it out once (a new link: one mail, not a second
    that ends the first's link)."""

    permission_required = "registration.change_registration"
    template_name = "backoffice/registrations/actions/confirm.html"
    form_class = ConfirmForm
    title = ""
    intro = ""  # what the action does, said before it is done
    button = ""
    danger = False

    def get_registration(self) -> Registration:
        if not hasattr(self, "registration"):
            found = (
                Registration.objects.filter(event=self.event, code=self.kwargs["code"].upper())
                .prefetch_related("attendees")
                .first()
            )
            if found is None:
                raise Http404
            self.registration = found
        return self.registration

    def get_context_data(self, **kwargs):
        registration = self.get_registration()
        kwargs.update(
            registration=registration,
            title=self.title % {"code": registration.code},
            intro=self.intro,
            button=self.button,
            danger=self.danger,
            back_url=self.back_url(),
            section="registrations",
        )
        return super().get_context_data(**kwargs)

    def back_url(self) -> str:
        try:
            return reverse(
                "backoffice:registration.detail",
                kwargs={"event": self.event.slug, "code": self.get_registration().code},
            )
        except NoReverseMatch:  # the detail screen is built separately
            return reverse("backoffice:event.detail", kwargs={"event": self.event.slug})

    def form_valid(self, form):
        registration = self.get_registration()
        said = []

        def act() -> str:
            said.append(self.act(registration, **form.cleaned_data))
            return self.back_url()

        try:
            address, before = self.make(act)
        except RegistrationError as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        if not before:
            messages.success(self.request, said[0] % {"code": registration.code})
        return redirect(address)

    def fallback_address(self) -> str:
        return self.back_url()

    @abc.abstractmethod
    def act(self, registration: Registration, **values) -> str:
        """Carry out the action; return the message that says it was done."""


class ApproveView(RegistrationActionView):
    form_class = MessageForm
    title = gettext_lazy("Approve registration %(code)s")
    intro = gettext_lazy("The booker is told by mail, with your message if you give one.")
    button = gettext_lazy("Approve")

    def act(self, registration, *, message, confirm):
        services.approve_registration(registration, by=self.request.user, message=message)
        return _("Registration %(code)s is approved.")


class RejectView(RegistrationActionView):
    form_class = MessageForm
    title = gettext_lazy("Reject registration %(code)s")
    intro = gettext_lazy("The booker is told by mail, with your message if you give one.")
    button = gettext_lazy("Reject")
    danger = True

    def act(self, registration, *, message, confirm):
        services.reject_registration(registration, by=self.request.user, message=message)
        return _("Registration %(code)s is rejected.")


class CancelView(RegistrationActionView):
    form_class = ReasonForm
    title = gettext_lazy("Cancel registration %(code)s")
    intro = gettext_lazy(
        "The booker is told by mail; the seats become free for others (and the waiting list)."
    )
    button = gettext_lazy("Cancel registration")
    danger = True

    def act(self, registration, *, reason, confirm):
        result = services.cancel_registration(registration, by=self.request.user, reason=reason)
        if result.free:
            return _("Registration %(code)s is cancelled, free of charge.")
        return _("Registration %(code)s is cancelled, after the free period.")


class AttendeeActionView(RegistrationActionView):
    """An action on one attendee of the registration in the URL."""

    attendee_title = ""  # the page's title, with %(name)s (the attendee's) and %(code)s

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.attendee_title % {
            "name": self.get_attendee().full_name,
            "code": self.get_registration().code,
        }
        return context

    def get_attendee(self):
        for attendee in self.get_registration().attendees.all():
            if attendee.pk == self.kwargs["attendee"]:
                return attendee
        raise Http404


class CancelAttendeeView(AttendeeActionView):
    """Cancel one attendee of several (`services.cancel_attendee`), the rest stays booked."""

    form_class = ReasonForm
    intro = gettext_lazy(
        "The booker is told by mail; the seat becomes free for others (and the waiting list). "
        "In the free period the ticket's amount is no longer owed: a new invoice replaces "
        "the old one (with a credit note) and an online payment is refunded for this part."
    )
    attendee_title = gettext_lazy("Cancel %(name)s of registration %(code)s")
    button = gettext_lazy("Cancel this attendee")
    danger = True

    def act(self, registration, *, reason, confirm):
        result = services.cancel_attendee(self.get_attendee(), by=self.request.user, reason=reason)
        done = _("%(name)s is cancelled, free of charge.") if result.free else None
        done = done or _("%(name)s is cancelled, after the free period.")
        # The caller fills in %(code)s: a "%" in the name must stay a "%".
        return done % {"name": result.name.replace("%", "%%")}


class SubstituteAttendeeForm(ConfirmationForm, SubstituteForm):
    """The colleague who goes instead, as the booker's page asks it, confirmed by the button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)


class SubstituteAttendeeView(AttendeeActionView):
    """Let a colleague go instead of one attendee (`services.substitute_attendee`), for a
    booker who asks the secretariat: the same ticket, a new ticket code."""

    form_class = SubstituteAttendeeForm
    intro = gettext_lazy(
        "The colleague takes over this ticket and its sessions. The previous person's answers "
        "(job title, wishes, consents, badge choice) are removed, and their ticket no longer "
        "works at the door. With an email address, the colleague gets their own calendar file "
        "and, once the registration is confirmed, their ticket. The previous person is told "
        "by mail when they have an address of their own; when they have the booker's, the "
        "booker is told."
    )
    attendee_title = gettext_lazy("Someone else instead of %(name)s (registration %(code)s)")
    button = gettext_lazy("Let the colleague go instead")

    def act(self, registration, *, confirm, **values):
        attendee = self.get_attendee()
        before = attendee.full_name
        now = services.substitute_attendee(
            attendee, substitute=services.Substitute(**values), by=self.request.user
        )
        done = _("%(name)s now goes instead of %(before)s.") % {
            "name": now.full_name,
            "before": before,
        }
        # The caller fills in %(code)s: a "%" in a name must stay a "%".
        return done.replace("%", "%%")


class BulkDecisionView(EventPermissionMixin, ConfirmFirstMixin, View):
    """Approve or reject the registrations ticked on the list, with one optional message.

    Asked first (the confirm page names how many); each is decided in its own transaction,
    and one that is no longer awaiting approval is skipped with the reason.
    """

    permission_required = "registration.change_registration"
    http_method_names = ["post"]
    confirm_button = gettext_lazy("Yes, go ahead")
    # The list's largest page (`registrations.PAGE_SIZES`): deciding each costs about 40
    # statements (mail, ticket, log, a re-run), 200 took 5 s; 500 took 16 s, near the web
    # server's timeout.
    most_at_once = 200

    @staticmethod
    def ticked(request) -> list[str]:
        # A NUL byte is in no code, and PostgreSQL cannot look one up (a 500).
        return [c.upper() for c in request.POST.getlist("codes") if "\x00" not in c]

    def needs_confirmation(self, request) -> bool:
        return len(self.ticked(request)) <= self.most_at_once  # more: refused at once

    def confirmation_text(self, request) -> str:
        count = len(request.POST.getlist("codes"))
        if request.POST.get("decision") == "reject":
            return _("%(count)d registrations will be rejected; each booker is told by mail.") % {
                "count": count
            }
        return _("%(count)d registrations will be approved; each booker is told by mail.") % {
            "count": count
        }

    def post(self, request, *args, **kwargs):
        decision = request.POST.get("decision")
        message = tidy_text(request.POST.get("message", ""))[:2000]
        codes = self.ticked(request)
        back = redirect("backoffice:registration.list", event=self.event.slug)
        if len(codes) > self.most_at_once:
            messages.error(
                request,
                _("Decide on at most %(count)d registrations at once; nothing was decided.")
                % {"count": self.most_at_once},
            )
            return back
        if decision not in ("approve", "reject") or not codes:
            messages.error(request, _("Tick at least one registration, then approve or reject."))
            return back
        act = (
            services.approve_registration if decision == "approve" else services.reject_registration
        )
        done, refused = 0, []
        for registration in Registration.objects.filter(event=self.event, code__in=codes):
            try:
                act(registration, by=request.user, message=message)
            except RegistrationError as error:
                refused.append(f"{registration.code}: {error.message}")
            else:
                done += 1
        messages.success(request, _("%(count)d registrations decided.") % {"count": done})
        for problem in refused:
            messages.error(request, problem)
        return back


class ResendLinkView(RegistrationActionView):
    title = gettext_lazy("Send a new link for registration %(code)s")
    intro = gettext_lazy(
        "The booker gets a new manage link by mail. The old link stops working at once, "
        "also in mails sent before."
    )
    button = gettext_lazy("Send a new link")

    def act(self, registration, *, confirm):
        services.renew_manage_link(registration, by=self.request.user)
        return _("A new link for registration %(code)s is on its way; the old one stopped working.")
