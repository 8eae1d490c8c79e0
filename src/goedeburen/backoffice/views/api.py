"""The organiser's API screens: tokens, webhook endpoints and their deliveries.

Organiser-wide settings: they need the organiser's owner role (`events.manage_organiser`).
A token and a webhook secret are shown once, on the page that made them, never again.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from goedeburen.api import services
from goedeburen.api.exceptions import ApiError
from goedeburen.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from goedeburen.backoffice.forms.api import EndpointForm, TokenForm
from goedeburen.backoffice.permissions import OrganiserPermissionMixin

NO_STORE = "no-store"


class _ApiScreen(OrganiserPermissionMixin, TemplateView):
    permission_required = "events.manage_organiser"

    def get_context_data(self, **kwargs):
        kwargs["organiser"] = self.organiser  # the object, not the URL's slug
        return super().get_context_data(**kwargs)

    def render_once(self, context):
        response = render(self.request, self.template_name, self.get_context_data(**context))
        response["Cache-Control"] = NO_STORE  # it shows a secret, once
        return response


class TokenListView(_ApiScreen):
    """The organiser's API tokens with scopes, expiry and last use; make a new one."""

    template_name = "backoffice/api/tokens.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", TokenForm(organiser=self.organiser))
        tokens = ApiToken.objects.filter(organiser=self.organiser).select_related(
            "event", "created_by"
        )
        return super().get_context_data(tokens=tokens, **kwargs)

    def post(self, request, *args, **kwargs):
        form = TokenForm(request.POST, organiser=self.organiser)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            token, text = services.create_token(
                organiser=self.organiser,
                event=form.cleaned_data["event"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires=form.expiry(),
                by=request.user,
            )
        except ApiError as refused:
            form.add_error(None, refused.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return self.render_once({"new_token": token, "new_token_text": text})


class TokenRevokeView(_ApiScreen):
    """Revoke a token, after a confirmation."""

    template_name = "backoffice/api/confirm.html"

    def get_token(self):
        return get_object_or_404(ApiToken, organiser=self.organiser, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        token = self.get_token()
        return super().get_context_data(
            question=_("Revoke the token “%(name)s”? Programs that use it stop working at once.")
            % {"name": token.name},
            button=_("Revoke"),
            back=reverse("backoffice:api.tokens", kwargs={"organiser": self.organiser.slug}),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        token = self.get_token()
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(self.get_context_data(), status=400)
        services.revoke_token(token, by=request.user)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("backoffice:api.tokens", organiser=self.organiser.slug)


class EndpointListView(_ApiScreen):
    """The organiser's webhook endpoints; add one."""

    template_name = "backoffice/api/webhooks.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", EndpointForm(organiser=self.organiser))
        endpoints = WebhookEndpoint.objects.filter(organiser=self.organiser).select_related("event")
        return super().get_context_data(endpoints=endpoints, **kwargs)

    def post(self, request, *args, **kwargs):
        form = EndpointForm(request.POST, organiser=self.organiser)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            endpoint, secret = services.create_endpoint(
                organiser=self.organiser,
                event=form.cleaned_data["event"],
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                by=request.user,
            )
        except ApiError as refused:
            form.add_error("url", refused.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return self.render_once({"new_endpoint": endpoint, "new_secret": secret})


class EndpointDetailView(_ApiScreen):
    """One endpoint: change it, ping it, rotate its secret; its deliveries of 30 days."""

    template_name = "backoffice/api/webhook.html"
    actions = ("save", "ping", "rotate")

    def get_endpoint(self):
        return get_object_or_404(WebhookEndpoint, organiser=self.organiser, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        endpoint = self.get_endpoint()
        kwargs.setdefault(
            "form",
            EndpointForm(
                organiser=self.organiser,
                initial={
                    "url": endpoint.url,
                    "event": endpoint.event,
                    "event_types": endpoint.event_types,
                    "active": endpoint.active,
                },
            ),
        )
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)[:200]
        return super().get_context_data(endpoint=endpoint, deliveries=deliveries, **kwargs)

    def post(self, request, *args, **kwargs):
        endpoint = self.get_endpoint()
        action = request.POST.get("action", "save")
        here = redirect("backoffice:api.webhook", organiser=self.organiser.slug, pk=endpoint.pk)
        if action not in self.actions:
            messages.error(request, _("Unknown action."))
            return here
        if action == "ping":
            services.ping(endpoint, by=request.user)
            messages.success(request, _("A test ping is on its way."))
            return here
        if action == "rotate":
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Tick the box to confirm the new secret."))
                return here
            secret = services.rotate_secret(endpoint, by=request.user)
            return self.render_once({"new_secret": secret})
        form = EndpointForm(request.POST, organiser=self.organiser)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            services.change_endpoint(
                endpoint,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                active=form.cleaned_data["active"],
                by=request.user,
            )
        except ApiError as refused:
            form.add_error("url", refused.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("The webhook is saved."))
        return here


class DeliveryRedeliverView(_ApiScreen):
    """Send a failed delivery again (a button: POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("endpoint"),
            endpoint__organiser=self.organiser,
            pk=kwargs["pk"],
        )
        try:
            services.redeliver(delivery, by=request.user)
            messages.success(request, _("The delivery is sent again."))
        except ApiError as refused:
            messages.error(request, refused.message)
        return redirect(
            "backoffice:api.webhook", organiser=self.organiser.slug, pk=delivery.endpoint_id
        )
