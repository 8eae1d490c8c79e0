"""The booker's own pages behind the secret manage link, the waiting-list offer, and the
form that sends the link again.

Every page behind a link answers a wrong token, an unknown code and a missing attendee
with the same 404. Views call one service each and never write a model.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from goedeburen.common.limits import over_limit
from goedeburen.mail import placeholders
from goedeburen.mail import queries as mail_queries
from goedeburen.matching import queries as matching_queries
from goedeburen.privacy import services as privacy_services
from goedeburen.registration import queries, services
from goedeburen.registration.enums import MAY_RANK, RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError

from ..forms.manage import ChangeForms, LinkRequestForm, SubstituteForm
from .pages import EventPageMixin
from .payment_info import payment_context
from .ticket_info import ticket_context

# How often one client address may ask for links, over all addresses it types.
LINK_REQUESTS_PER_CLIENT = "10/h"


class _LoadRegistration:
    """Load `self.registration` from the URL's code and token, or answer 404."""

    def dispatch(self, request, *args, **kwargs):
        self.registration = queries.registration_for_manage(
            event=self.event, code=kwargs["code"], token=kwargs["token"]
        )
        if self.registration is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class ManageMixin(EventPageMixin, _LoadRegistration):
    """A page of one registration, for whoever holds its secret link."""

    cache_seconds = 0

    def manage_url(self) -> str:
        return reverse(
            "public:registration.manage",
            kwargs={
                "event": self.event.slug,
                "code": self.registration.code,
                "token": self.kwargs["token"],
            },
        )

    def get_context_data(self, **kwargs):
        now = timezone.now()
        registration = self.registration
        active = registration.status != RegistrationStatus.CANCELLED
        deadline = queries.edit_deadline(self.event)
        kwargs.update(
            registration=registration,
            manage_url=self.manage_url(),
            token=self.kwargs["token"],
            can_change=active and now <= deadline,
            can_cancel=active,
            edit_deadline=deadline,
            cancellation_free=queries.cancellation_is_free(self.event, now=now),
            free_until=queries.registration_settings(self.event).free_cancellation_until,
            participant_token=placeholders.participant_token(registration),
            gets_publication=mail_queries.gets_publication(registration),
            opted_out=mail_queries.is_opted_out(self.event, registration.email),
            **payment_context(registration),
        )
        return super().get_context_data(**kwargs)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect(self.manage_url())


class ManageView(ManageMixin, TemplateView):
    """Show a registration, with what the booker can still do to it, and its programme."""

    template_name = "public/registration/manage.html"

    def get_context_data(self, **kwargs):
        attendees = list(self.registration.attendees.all())
        status = self.registration.status
        confirmed = status == RegistrationStatus.CONFIRMED
        programmes = (
            matching_queries.personal_programmes(self.event, attendees) if confirmed else {}
        )
        rounds = matching_queries.rounds(self.event) if status in MAY_RANK else []
        kwargs.update(ticket_context(self.registration))
        kwargs.update(
            attendee_count=len(attendees),
            programmes=[(a, programmes[a.pk]) for a in attendees if a.pk in programmes],
            can_rank=bool(rounds)
            and timezone.now() <= matching_queries.ranking_deadline(self.event),
            rankings=_rankings_shown(rounds, attendees) if rounds else [],
        )
        return super().get_context_data(**kwargs)


def _rankings_shown(rounds, attendees) -> list[tuple]:
    """Return (attendee, [(round, [sessions, best first])]) for those who ranked anything."""
    ranked = matching_queries.rankings_by_attendee([a.pk for a in attendees])
    sessions = {s.pk: s for r in rounds for s in r.sessions.all()}
    shown = []
    for attendee in attendees:
        choices = [
            (r, [sessions[pk] for pk in ranked[attendee.pk][r.pk] if pk in sessions])
            for r in rounds
            if ranked.get(attendee.pk, {}).get(r.pk)
        ]
        if choices:
            shown.append((attendee, choices))
    return shown


class MailPreferenceView(ManageMixin, TemplateView):
    """Switch the booker's non-essential mail (mailings, the thank-you) off or on."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        opted_out = request.POST.get("opted_out") == "1"
        privacy_services.set_mailings(self.registration, wanted=not opted_out)
        if opted_out:
            return self.done(
                _(
                    "You will get no more mailings about this event, "
                    "only mail about your registration."
                )
            )
        return self.done(_("You will get the organisers’ mailings again."))


class EditView(ManageMixin, TemplateView):
    """Change the booker's, attendees' and billing details until the deadline."""

    template_name = "public/registration/manage/edit.html"

    def forms(self, data=None) -> ChangeForms:
        settings = queries.registration_settings(self.event)
        return ChangeForms(
            registration=self.registration,
            po_number_required=settings.po_number_required,
            questions=queries.event_questions(self.event),
            data=data,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(forms=self.forms()))

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        if not forms.is_valid():
            return self.render_to_response(
                self.get_context_data(forms=forms, errors=forms.errors())
            )
        try:
            services.update_registration(
                self.registration,
                booker=forms.booker.booker(),
                attendees=forms.changes(),
                billing=forms.billing.billing(),
                seen=forms.posted_seen(),
            )
        except RegistrationError as refused:
            if refused.code == "changed_meanwhile":
                # The registration as it is now, to change again.
                now = queries.registration_for_manage(
                    event=self.event, code=self.kwargs["code"], token=self.kwargs["token"]
                )
                if now is not None:
                    self.registration = now
                    forms = self.forms()
            return self.render_to_response(
                self.get_context_data(forms=forms, problem=refused.message)
            )
        return self.done(_("Your changes are saved."))


class AttendeeMixin:
    """Find the attendee in the URL among the registration's, or answer 404."""

    def get_attendee(self):
        for attendee in self.registration.attendees.all():
            if attendee.pk == self.kwargs["attendee"]:
                return attendee
        raise Http404


class SubstituteView(AttendeeMixin, ManageMixin, TemplateView):
    """Let a colleague go instead of one attendee."""

    template_name = "public/registration/manage/substitute.html"

    def get(self, request, *args, **kwargs):
        form = SubstituteForm()
        return self.render_to_response(
            self.get_context_data(form=form, attendee=self.get_attendee())
        )

    def post(self, request, *args, **kwargs):
        attendee = self.get_attendee()
        form = SubstituteForm(request.POST)
        context = {"form": form, "attendee": attendee}
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(errors=form.errors_summary(), **context)
            )
        try:
            services.substitute_attendee(attendee, substitute=form.substitute())
        except RegistrationError as refused:
            return self.render_to_response(
                self.get_context_data(problem=refused.message, **context)
            )
        return self.done(
            _("%(name)s now goes instead of %(before)s.")
            % {"name": form.substitute().given_name, "before": attendee.full_name}
        )


class CancelAttendeeView(AttendeeMixin, ManageMixin, TemplateView):
    """Cancel one attendee of several, after a page that says what follows from it."""

    template_name = "public/registration/manage/cancel_attendee.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attendee = self.get_attendee()
        count = len(self.registration.attendees.all())
        context.update(
            attendee=attendee,
            others=count - 1,
            can_cancel_attendee=context["can_cancel"] and count > 1,
            **_money_after(attendee, free=context["cancellation_free"], balance=context["balance"]),
        )
        return context

    def post(self, request, *args, **kwargs):
        attendee = self.get_attendee()
        try:
            result = services.cancel_attendee(attendee, by=None, reason="booker")
        except RegistrationError as refused:
            return self.render_to_response(self.get_context_data(problem=refused.message))
        return self.done(
            _("%(name)s is cancelled. We sent you an email about it.") % {"name": result.name}
        )


def _money_after(attendee, *, free: bool, balance) -> dict:
    """Return what cancelling `attendee` does to the money: `back` (what is paid back),
    `less` (what is no longer to be paid) and `total_after`, as the payments settle a free
    cancellation (`payments.services.settle_cancellation`); nothing when it is not free."""
    price = attendee.price
    if not (free and price):
        return {"back": 0, "less": 0, "total_after": None}
    due_after = max(balance.due - price, 0)
    back = min(price, max(balance.paid - due_after, 0))
    return {"back": back, "less": price - back, "total_after": due_after}


class CancelView(ManageMixin, TemplateView):
    """Show the cancellation policy and cancel on confirmation."""

    template_name = "public/registration/manage/cancel.html"

    def post(self, request, *args, **kwargs):
        try:
            result = services.cancel_registration(self.registration, by=None, reason="booker")
        except RegistrationError as refused:
            return self.render_to_response(self.get_context_data(problem=refused.message))
        if result.free:
            return self.done(_("Your registration is cancelled, free of charge."))
        return self.done(_("Your registration is cancelled. It was past the free period."))


@method_decorator(never_cache, name="dispatch")
class LinkRequestView(EventPageMixin, TemplateView):
    """Send the manage link again to an email address, never telling whether it is known."""

    template_name = "public/registration/link.html"
    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=LinkRequestForm()))

    def post(self, request, *args, **kwargs):
        form = LinkRequestForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(form=form, errors=form.errors_summary())
            )
        # Per client address (besides the limit per email address in the service).
        if over_limit(request, group="registration.link", rate=LINK_REQUESTS_PER_CLIENT):
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    problem=_("You asked for links many times. Please try again in an hour."),
                )
            )
        services.request_manage_links(self.event, email=form.cleaned_data["email"])
        return self.render_to_response(
            self.get_context_data(email=form.cleaned_data["email"]),
            template="public/registration/link_sent.html",
        )

    def render_to_response(self, context, template=None, **kwargs):
        if template:
            return self.response_class(
                request=self.request, template=[template], context=context, **kwargs
            )
        return super().render_to_response(context, **kwargs)


@method_decorator(never_cache, name="dispatch")
class OfferView(EventPageMixin, TemplateView):
    """A waiting-list offer: take the place while it lasts, or learn that it is gone."""

    template_name = "public/registration/offer.html"
    cache_seconds = 0

    def load(self):
        registration = queries.registration_for_offer(
            event=self.event, code=self.kwargs["code"], token=self.kwargs["token"]
        )
        if registration is None:
            raise Http404
        return registration

    def get_context_data(self, **kwargs):
        registration = kwargs.setdefault("registration", self.load())
        kwargs["open"] = (
            registration.status == RegistrationStatus.WAITING_LIST
            and registration.offer_until is not None
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        registration = self.load()
        try:
            registration = services.accept_offer(registration)
        except RegistrationError as refused:
            registration = self.load()
            if registration.status not in (
                RegistrationStatus.WAITING_LIST,
                RegistrationStatus.CANCELLED,
            ):
                # Taken already (a second click, the link open in two tabs): the place is
                # theirs, not "no longer available".
                return self.render_to_response(
                    self.get_context_data(registration=registration, accepted=True)
                )
            return self.render_to_response(
                self.get_context_data(registration=registration, problem=refused.message)
            )
        return self.render_to_response(
            self.get_context_data(registration=registration, accepted=True)
        )
