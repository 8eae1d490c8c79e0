"""Registration on the event site: the form, its confirmation and the booker's own page.

The booker's own pages (`manage.py`) are reached only through the secret link shown on the
confirmation page; an unknown code and a wrong token give the same 404. When a ticket is
sold out the form offers the waiting list instead.
"""

import hashlib

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from goedeburen.common import crypto
from goedeburen.events.models import EventStatus
from goedeburen.registration import queries, services, tokens
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import MAX_ATTENDEES, Registration

from ..forms.registration import RegistrationForms
from .pages import EventPageMixin
from .payment_info import payment_context

# The browser keeps the manage links of the registrations made in it, so that the
# confirmation page (a GET after the POST) can show the link: in a cookie of its own,
# sealed (encrypted and signed, `common.crypto`), never in the server's session table.
LINKS_COOKIE = "gb_links"
_LINKS_PURPOSE = "goedeburen.public.registration-links"
_LINKS_KEPT = 10
_LINKS_MAX_AGE = 24 * 60 * 60  # seconds: the confirmation page is for right after booking


def links_in(request) -> dict[str, str]:
    """Return the {code: manage token} of the registrations made in this browser."""
    sealed = request.COOKIES.get(LINKS_COOKIE, "")
    if not sealed:
        return {}
    try:
        links = crypto.unseal(sealed, purpose=_LINKS_PURPOSE, max_age=_LINKS_MAX_AGE)
    except crypto.Unsealable:
        return {}
    return links if isinstance(links, dict) else {}


def remember_link(response, request, *, code: str, token: str) -> None:
    """Add a registration's manage link to this browser's sealed cookie."""
    links = {k: v for k, v in links_in(request).items() if k != code}
    links[code] = token
    kept = dict(list(links.items())[-_LINKS_KEPT:])
    response.set_cookie(
        LINKS_COOKIE,
        crypto.seal(kept, purpose=_LINKS_PURPOSE),
        max_age=_LINKS_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@method_decorator(never_cache, name="dispatch")
class RegistrationFormView(EventPageMixin, TemplateView):
    """Show the registration form and register; only while the event takes registrations."""

    template_name = "public/registration/start.html"
    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        if self.event.status != EventStatus.REGISTRATION_OPEN:
            return self.closed()
        forms = self.make_forms()
        return self.show(
            forms,
            form_token=tokens.issue_form_token(event_id=self.event.pk),
            blank_form_key=self.blank_form_key(),
        )

    def post(self, request, *args, **kwargs):
        if self.event.status != EventStatus.REGISTRATION_OPEN:
            return self.closed()
        data = request.POST
        forms = self.make_forms(data=data, count=RegistrationForms.count_from(data))
        form_token = data.get("form_token", "")
        if tokens.read_form_token(form_token, event_id=self.event.pk) is None:
            form_token = tokens.issue_form_token(event_id=self.event.pk)
        if data.get("action") == "add":
            return self.show(forms.resized(add=True), form_token=form_token, focus="added")
        if "remove" in data:
            try:
                index = int(data["remove"])
            except ValueError:
                index = None
            return self.show(forms.resized(remove=index), form_token=form_token)
        if not forms.is_valid():
            return self.show(forms, form_token=form_token, invalid=True)
        book = (
            services.join_waiting_list
            if data.get("action") == "waiting_list"
            else services.register
        )
        try:
            registration = book(
                self.event,
                booker=forms.booker.booker(),
                attendees=[form.details() for form in forms.attendees],
                billing=forms.billing.billing(),
                form_token=data.get("form_token", ""),
                language=get_language(),
                by=request.user,
            )
        except RegistrationError as refused:
            return self.show(
                forms,
                form_token=form_token,
                problem=refused.message,
                sold_out=refused.code == "sold_out",
            )
        return self.registered(registration)

    def registered(self, registration: Registration):
        if registration.manage_token:
            response = redirect(
                "public:registration.done", event=self.event.slug, code=registration.code
            )
            remember_link(
                response, self.request, code=registration.code, token=registration.manage_token
            )
            return response
        if registration.code not in links_in(self.request):
            # The form was sent before, from elsewhere: say so, without the secret link.
            return self.render_to_response(
                self.get_context_data(registration=registration),
                status=200,
                template="public/registration/already.html",
            )
        return redirect("public:registration.done", event=self.event.slug, code=registration.code)

    def make_forms(self, *, data=None, count: int = 1) -> RegistrationForms:
        if not hasattr(self, "ticket_types"):
            self.ticket_types = queries.sellable_ticket_types(self.event, now=timezone.now())
            self.settings = queries.registration_settings(self.event)
            on_sale = {t.pk for t in self.ticket_types}
            self.questions = [
                q
                for q in queries.event_questions(self.event)
                if any(q.applies_to(pk, {t.pk for t in q.ticket_types.all()}) for pk in on_sale)
            ]
        return RegistrationForms(
            ticket_types=self.ticket_types,
            po_number_required=self.settings.po_number_required,
            questions=self.questions,
            data=data,
            count=count,
        )

    def blank_form_key(self) -> str:
        """Return what the empty form's fields depend on, as the key of their cached HTML.

        The fields of an unfilled form look the same for every visitor (the per-visitor
        CSRF and form tokens sit outside them), and rendering twenty widgets is most of
        the page's cost in a rush. The key holds every value they are drawn from, so any
        change to a ticket type or question, or a sale window opening, renders afresh.
        """
        rows = [get_language(), MAX_ATTENDEES, self.settings.po_number_required]
        for ticket_type in self.ticket_types:
            rows.append(_values(ticket_type))
        for question in self.questions:
            rows.append(_values(question))
            rows.extend(_values(option) for option in question.options.all())
            rows.append(sorted(t.pk for t in question.ticket_types.all()))
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    def show(
        self,
        forms,
        *,
        form_token,
        invalid=False,
        problem=None,
        focus=None,
        sold_out=False,
        blank_form_key="",
    ):
        return self.render_to_response(
            self.get_context_data(
                blank_form_key=blank_form_key,
                forms=forms,
                form_token=form_token,
                errors=forms.errors() if invalid else [],
                problem=problem,
                focus=focus,
                sold_out=sold_out,
                max_attendees=MAX_ATTENDEES,
            )
        )

    def closed(self):
        return self.render_to_response(
            self.get_context_data(), template="public/registration/closed.html"
        )

    def render_to_response(self, context, template=None, **kwargs):
        if template:
            return self.response_class(
                request=self.request, template=[template], context=context, **kwargs
            )
        return super().render_to_response(context, **kwargs)


@method_decorator(never_cache, name="dispatch")
class RegistrationDoneView(EventPageMixin, TemplateView):
    """Confirm a registration made in this browser session, with its secret link."""

    template_name = "public/registration/done.html"
    cache_seconds = 0

    def get_context_data(self, **kwargs):
        token = links_in(self.request).get(self.kwargs["code"])
        registration = token and queries.registration_for_manage(
            event=self.event, code=self.kwargs["code"], token=token
        )
        if not registration:
            raise Http404
        manage_url = self.request.build_absolute_uri(
            _manage_path(self.event.slug, registration.code, token)
        )
        return super().get_context_data(
            registration=registration,
            manage_url=manage_url,
            token=token,
            **payment_context(registration),
            **kwargs,
        )


def _values(instance) -> tuple:
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _manage_path(event_slug: str, code: str, token: str) -> str:
    return reverse(
        "public:registration.manage", kwargs={"event": event_slug, "code": code, "token": token}
    )
