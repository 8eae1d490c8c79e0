"""Registration on the event site: the form, its review, its confirmation.

One way through: the form (with the way to pay, when something is to be paid), then a
review of attendees, total, VAT, the way to pay and the terms, then one binding click. The
review carries what was typed in hidden fields (nothing is stored before the binding
click), so "Back to the form" and the language switch keep it all, and the same form
token reaches the binding click: a double click or Back and send again is one
registration (`services.register`).

The booker's own pages (`manage.py`) are reached only through the secret link shown on the
confirmation page; an unknown code and a wrong token give the same 404. When a ticket is
sold out the form offers the waiting list instead.
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from goedeburen.accounts.network import client_ip
from goedeburen.common import crypto
from goedeburen.common.links import absolute_url
from goedeburen.events.models import EventStatus
from goedeburen.payments import queries as payment_queries
from goedeburen.payments import services as payment_services
from goedeburen.payments import vat
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.providers import PROVIDERS
from goedeburen.registration import queries, services, tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import MAX_ATTENDEES, Registration

from ..forms.registration import PAYMENT_LABELS, RegistrationForms
from .pages import EventPageMixin
from .payment_info import payment_context
from .payments import WEBHOOK_URL_NAME

# The browser keeps the manage links of the registrations made in it, so that the
# confirmation page (a GET after the POST) can show the link: in a cookie of its own,
# sealed (encrypted and signed, `common.crypto`), never in the server's session table.
LINKS_COOKIE = "gb_links"
_LINKS_PURPOSE = "goedeburen.public.registration-links"
_LINKS_KEPT = 10
_LINKS_MAX_AGE = 24 * 60 * 60  # seconds: the confirmation page is for right after booking


def _sealed_links(request) -> dict[str, list[str]]:
    """Return {code: [manage token, fingerprint of what was sent]} from the sealed cookie."""
    sealed = request.COOKIES.get(LINKS_COOKIE, "")
    if not sealed:
        return {}
    try:
        links = crypto.unseal(sealed, purpose=_LINKS_PURPOSE, max_age=_LINKS_MAX_AGE)
    except crypto.Unsealable:
        return {}
    if not isinstance(links, dict):
        return {}
    found = {}
    for code, value in links.items():
        value = [value, ""] if isinstance(value, str) else value
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            found[code] = value
    return found


def links_in(request) -> dict[str, str]:
    """Return the {code: manage token} of the registrations made in this browser."""
    return {code: token for code, (token, _sent) in _sealed_links(request).items()}


def sent_in(request) -> dict[str, str]:
    """Return {fingerprint: code}: what this browser registered, to know it when sent again."""
    return {sent: code for code, (_token, sent) in _sealed_links(request).items() if sent}


def remember_link(response, request, *, code: str, token: str, sent: str = "") -> None:
    """Add a registration's manage link (and the fingerprint of the submission that made
    it, see `submission_fingerprint`) to this browser's sealed cookie."""
    links = {k: v for k, v in _sealed_links(request).items() if k != code}
    links[code] = [token, sent]
    kept = dict(list(links.items())[-_LINKS_KEPT:])
    response.set_cookie(
        LINKS_COOKIE,
        crypto.seal(kept, purpose=_LINKS_PURPOSE),
        max_age=_LINKS_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def submission_fingerprint(event_id: int, forms: RegistrationForms, waiting_list: bool) -> str:
    """Return a digest of who registers whom on which ticket: the same people sent again
    from this browser (Back and send) are recognised as the registration made already."""
    booker = forms.booker.cleaned_data
    people = sorted(
        (
            str(form.cleaned_data["ticket_type"].pk),
            form.cleaned_data["given_name"].strip().casefold(),
            form.cleaned_data["family_name"].strip().casefold(),
        )
        for form in forms.attendees
    )
    text = repr((event_id, waiting_list, booker["email"].strip().casefold(), people))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def browser_tag(request) -> str:
    """Return a tag of this browser (from its CSRF cookie's secret), "" without one.

    Put in the form token, so that a second submission of a form shows the secret link
    only to the browser the form was shown to.
    """
    secret = request.META.get("CSRF_COOKIE", "")
    if not secret:
        return ""
    return salted_hmac("goedeburen.registration.browser", secret).hexdigest()[:16]


# The cached form page holds these in place of the per-visitor CSRF and form tokens.
_CSRF_SLOT = "csrf-token-slot-4d1e"
_FORM_TOKEN_SLOT = "form-token-slot-4d1e"  # noqa: S105 - a placeholder, not a secret
FORM_PAGE_SECONDS = 3600


class RegistrationFormView(EventPageMixin, TemplateView):
    """Show the registration form, review it and register; only while the event takes
    registrations."""

    template_name = "public/registration/start.html"
    cache_seconds = 0

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if getattr(response, "keep_for_back", False):
            # The review may stay in this browser's history (private, checked again before
            # any other use): Back from the confirmation then shows it, not "Confirm form
            # resubmission", and its binding button sends the same form token again.
            patch_cache_control(response, private=True, no_cache=True)
        else:
            add_never_cache_headers(response)
        return response

    def get(self, request, *args, **kwargs):
        if self.event.status != EventStatus.REGISTRATION_OPEN:
            return self.closed()
        # The empty form is the same for every visitor but for two tokens: it is rendered
        # once per language, version of the event and set of tickets on sale, and each
        # visitor gets a copy with their own tokens put in.
        self.load_booking_data()
        # What is sold out or nearly so shows before anyone fills in the form (one query).
        self.availability = queries.availability(event_id=self.event.pk)
        key = ":".join(
            [
                "registration:form",
                get_language(),
                request.path,
                self.event.updated.isoformat(),
                ",".join(f"{t.pk}{self.availability.get(t.pk, '')}" for t in self.ticket_types),
            ]
        )
        page = cache.get(key)
        if page is None:
            response = self.show(
                self.make_forms(),
                form_token=_FORM_TOKEN_SLOT,
                csrf_token=_CSRF_SLOT,
                messages=[],  # what the first visitor is told is not for the next
            )
            page = response.render().content.decode()
            cache.set(key, page, FORM_PAGE_SECONDS)
        page = page.replace(_CSRF_SLOT, get_token(request), 1)
        form_token = tokens.issue_form_token(event_id=self.event.pk, browser=browser_tag(request))
        page = page.replace(_FORM_TOKEN_SLOT, form_token, 1)
        return HttpResponse(page)

    def post(self, request, *args, **kwargs):
        if self.event.status != EventStatus.REGISTRATION_OPEN:
            return self.closed()
        data = request.POST
        forms = self.make_forms(data=data, count=RegistrationForms.count_from(data))
        form_token = data.get("form_token", "")
        if tokens.read_form_token(form_token, event_id=self.event.pk) is None:
            form_token = tokens.issue_form_token(
                event_id=self.event.pk, browser=browser_tag(request)
            )
        if data.get("action") == "add":
            return self.show(forms.resized(add=True), form_token=form_token, focus="added")
        if data.get("action") == "language":
            # The language switch sends the form to its address in the other language:
            # shown again there with everything typed, nothing judged yet.
            return self.show(forms.resized(), form_token=form_token)
        if "remove" in data:
            try:
                index = int(data["remove"])
            except ValueError:
                index = None
            return self.show(forms.resized(remove=index), form_token=form_token)
        if data.get("action") == "edit":
            # Back from the review to the form: everything typed is kept.
            return self.show(forms.resized(), form_token=form_token)
        if not forms.is_valid():
            return self.show(forms, form_token=form_token, invalid=True)
        if data.get("action") == "review":
            return self.review(forms, form_token=form_token)
        waiting_list = data.get("action") == "waiting_list"
        sent = submission_fingerprint(self.event.pk, forms, waiting_list)
        earlier = self.made_before(sent)
        if earlier is not None:
            return earlier
        chosen = "" if waiting_list else forms.payment.chosen()
        online = chosen in PROVIDERS and PROVIDERS[chosen].online
        booking = {
            "booker": forms.booker.booker(),
            "attendees": [form.details() for form in forms.attendees],
            "billing": forms.billing.billing(),
            "form_token": data.get("form_token", ""),
            "language": get_language(),
            "by": request.user if request.user.is_authenticated else None,
        }
        # The client address counts the seats booked without online payment (`abuse`).
        client = client_ip(request)
        problem = ""
        try:
            if waiting_list:
                registration = services.join_waiting_list(self.event, **booking)
            elif chosen in payment_services.OFFLINE_PROVIDERS:
                # A transfer or an invoice is chosen in the booking's own transaction.
                registration, problem = payment_services.register_paying_offline(
                    self.event, provider=chosen, client=client, **booking
                )
            else:
                registration = services.register(
                    self.event, client=client, pays_online=online, **booking
                )
        except RegistrationError as refused:
            return self.show(
                forms,
                form_token=form_token,
                problem=refused.message,
                sold_out=refused.code == "sold_out",
            )
        if problem:
            messages.error(request, problem)
        return self.registered(registration, sent=sent, provider=chosen if online else "")

    def review(self, forms: RegistrationForms, *, form_token: str):
        """Show what the binding click will register, with what was typed kept in hidden
        fields for that click (and for "Back to the form")."""
        attendees = [form.cleaned_data for form in forms.attendees]
        tickets = [a["ticket_type"] for a in attendees]
        total = sum((t.price for t in tickets), start=Decimal("0.00"))
        breakdown = vat.breakdown(
            [vat.Item(gross=t.price, rate=t.vat_rate, exemption=t.vat_exemption) for t in tickets]
        )
        provider = forms.payment.chosen() if total else ""
        hidden = [
            (name, value)
            for name, values in self.request.POST.lists()
            if name not in ("csrfmiddlewaretoken", "action", "form_token")
            for value in values
        ]
        now = timezone.now()
        response = self.render_to_response(
            self.get_context_data(
                forms=forms,
                form_token=form_token,
                hidden=hidden,
                attendees=attendees,
                total=total,
                rates=[rate for rate in breakdown.rates if rate.vat],
                provider=provider,
                provider_label=PAYMENT_LABELS.get(provider, ""),
                payment_hold_minutes=self.settings.payment_hold_minutes,
                payment_term_days=self.payment_setup.settings.payment_term_days,
                needs_approval=any(t.needs_approval for t in tickets),
                on_behalf=forms.booker.cleaned_data.get("on_behalf"),
                cancellation_free=queries.cancellation_is_free(self.event, now=now),
                free_until=self.settings.free_cancellation_until,
            ),
            template="public/registration/review.html",
        )
        response.keep_for_back = True
        return response

    def made_before(self, sent: str):
        """The confirmation of the same registration, when this browser made it already
        (Back and send again) and it still stands; else None (and no query: a browser that
        registered nothing here has no fingerprint in its cookie)."""
        code = sent_in(self.request).get(sent)
        if code is None:
            return None
        registration = queries.registration_for_confirmation(
            event=self.event, code=code, token=links_in(self.request)[code]
        )
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            return None
        url = reverse("public:registration.done", kwargs={"event": self.event.slug, "code": code})
        return redirect(f"{url}?again=1")

    def registered(self, registration: Registration, *, sent: str = "", provider: str = ""):
        links = links_in(self.request)
        sent_before = getattr(registration, "sent_before", False)
        if sent_before and registration.code not in links:
            # The form was sent before: its link goes only to the browser it was shown to.
            form_token = self.request.POST.get("form_token", "")
            browser = browser_tag(self.request)
            if not browser or tokens.form_token_browser(form_token) != browser:
                registration.manage_token = None
        if not registration.manage_token and registration.code not in links:
            # The form was sent before and its link replaced since: the link is in the mail.
            return self.render_to_response(
                self.get_context_data(registration=registration),
                status=200,
                template="public/registration/already.html",
            )
        response = redirect(
            "public:registration.done", event=self.event.slug, code=registration.code
        )
        if provider and not sent_before and registration.manage_token:
            response = self.start_payment(registration, provider=provider) or response
        if registration.manage_token:
            remember_link(
                response,
                self.request,
                code=registration.code,
                token=registration.manage_token,
                sent=sent,
            )
        return response

    def start_payment(self, registration: Registration, *, provider: str):
        """Pay online, as chosen in the form; return the redirect to the provider, or None
        for the confirmation page (when nothing is to be paid yet, or the start failed).

        Its own use case after the booking has committed: a provider's call (Mollie) never
        runs inside the booking's transaction, and a choice that fails leaves a registration
        that can still choose on its page (the message there says why). Only the request
        that made the registration chooses: a second one finds it made (`sent_before`). A
        transfer or an invoice was chosen in the booking's transaction
        (`payments.services.register_paying_offline`).
        """
        if registration.status != RegistrationStatus.PENDING_PAYMENT:
            return None  # free, or awaiting the organisers' approval first: nothing to pay yet
        manage = _manage_path(self.event.slug, registration.code, registration.manage_token)
        try:
            started = payment_services.choose_provider(
                registration,
                provider=provider,
                return_url=absolute_url(manage),
                webhook_url=absolute_url(reverse(f"public:{WEBHOOK_URL_NAME}")),
            )
        except PaymentError as refused:
            messages.error(self.request, refused.message)
            return None
        return redirect(started.redirect_url) if started.redirect_url else None

    def load_booking_data(self) -> None:
        """Read the tickets on sale, the questions asked of them and the settings, from the
        event's booking data (`registration.queries.booking_data`: cached per version)."""
        if not hasattr(self, "ticket_types"):
            data = queries.booking_data(self.event)
            self.ticket_types = data.sellable(timezone.now())
            self.settings = data.settings
            self.questions = data.questions_for({t.pk for t in self.ticket_types})
            self.payment_setup = payment_queries.payment_setup(self.event)

    def make_forms(self, *, data=None, count: int = 1) -> RegistrationForms:
        self.load_booking_data()
        return RegistrationForms(
            ticket_types=self.ticket_types,
            po_number_required=self.settings.po_number_required,
            questions=self.questions,
            providers=self.payment_setup.providers,
            data=data,
            count=count,
        )

    def show(
        self,
        forms,
        *,
        form_token,
        invalid=False,
        problem=None,
        focus=None,
        sold_out=False,
        **extra,
    ):
        # Read here, not on the booking's way: a registration that succeeds shows no form.
        if not hasattr(self, "availability"):
            self.availability = queries.availability(event_id=self.event.pk)
        forms.show_availability(self.availability)
        states = [self.availability.get(t.pk, queries.SOLD_OUT) for t in self.ticket_types]
        all_sold_out = bool(states) and all(s == queries.SOLD_OUT for s in states)
        return self.render_to_response(
            self.get_context_data(
                forms=forms,
                form_token=form_token,
                errors=forms.errors() if invalid else [],
                problem=problem,
                focus=focus,
                sold_out=sold_out or queries.SOLD_OUT in states,
                all_sold_out=all_sold_out,
                max_attendees=MAX_ATTENDEES,
                **extra,
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
        registration = token and queries.registration_for_confirmation(
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
            again=self.request.GET.get("again") == "1",
            **payment_context(registration),
            **kwargs,
        )


def _manage_path(event_slug: str, code: str, token: str) -> str:
    return reverse(
        "public:registration.manage", kwargs={"event": event_slug, "code": code, "token": token}
    )
