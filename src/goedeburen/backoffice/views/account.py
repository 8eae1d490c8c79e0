"""The signed-in user's own account: roles (and leaving one), second factors, and the
screens of signing in that come after the password: the second factor, its set-up."""

import segno
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from goedeburen.accounts import queries as account_queries
from goedeburen.accounts import services as account_services
from goedeburen.accounts.models import AppDevice
from goedeburen.accounts.network import client_ip
from goedeburen.backoffice.forms.team import CodeForm
from goedeburen.backoffice.permissions import StaffRequiredMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.events import teams
from goedeburen.events.exceptions import EventError
from goedeburen.events.models import TeamMember
from goedeburen.events.rules import needs_second_factor


def next_url(request, default: str) -> str:
    """Return the `next` of the request if it is a path on this site, else `default`."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    # A path, not only a safe URL: `redirect()` takes a word without "/" or "." for the name
    # of a view, and a `next=abc` no view has answered 500.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


class AccountView(StaffRequiredMixin, TemplateView):
    """Your roles (leave one), your second factors (add, remove), your recovery codes."""

    template_name = "backoffice/account/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            memberships=list(
                TeamMember.objects.filter(user=user)
                .select_related("organiser", "event")
                .order_by("organiser__name", "event__date", "role")
            ),
            factors=account_queries.second_factors(user),
            required=needs_second_factor(user),
        )
        return super().get_context_data(**kwargs)


class LeaveView(StaffRequiredMixin, ConfirmFirstMixin, View):
    """Give up one of your own roles (POST, asked first)."""

    http_method_names = ["post"]
    confirm_title = gettext_lazy("Give up this role?")
    confirm_text = gettext_lazy(
        "You lose the role at once, and with it the screens it opens. Only an owner can give "
        "it back to you."
    )
    confirm_button = gettext_lazy("Give up the role")

    def check_target(self) -> None:
        if not TeamMember.objects.filter(pk=self.kwargs["pk"], user=self.request.user).exists():
            raise Http404

    def post(self, request, pk):
        member = TeamMember.objects.filter(pk=pk, user=request.user).first()
        if member is None:
            raise Http404
        try:
            teams.leave(member, user=request.user)
        except EventError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("You gave up that role."))
        return redirect("backoffice:account")


class SecondFactorSetupView(StaffRequiredMixin, TemplateView):
    """Set up an authenticator app (scan, then give a code) or a passkey.

    Confirming the app marks this session as verified and shows the new recovery codes once.
    """

    template_name = "backoffice/account/setup.html"

    def get_context_data(self, **kwargs):
        device = account_services.start_app_device(self.request.user)
        kwargs.setdefault("form", CodeForm())
        kwargs.update(
            qr=segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
            secret=_grouped(device.bin_key),
            required=needs_second_factor(self.request.user),
            next=next_url(self.request, reverse("backoffice:dashboard")),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = CodeForm(request.POST)
        device = account_services.start_app_device(request.user)
        if form.is_valid() and account_services.confirm_app_device(
            device, token=form.cleaned_data["token"]
        ):
            if not request.user.is_verified():
                otp_login(request, device)
            codes = account_services.new_recovery_codes(request.user)
            return render(
                request,
                "backoffice/account/recovery_codes.html",
                {"codes": codes, "next": next_url(request, reverse("backoffice:account"))},
            )
        if form.is_valid():
            form.add_error("token", _("This code is not right. Check the time on your phone."))
        return self.render_to_response(self.get_context_data(form=form))


def _grouped(key: bytes) -> str:
    """Return the app's secret as its set-up screen types it: base32 in groups of four."""
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class SecondFactorVerifyView(StaffRequiredMixin, TemplateView):
    """After the password: a code from the app, a recovery code, or the passkey."""

    template_name = "backoffice/account/verify.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_verified():
            return redirect(next_url(request, reverse("backoffice:dashboard")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", CodeForm())
        kwargs.update(
            next=next_url(self.request, reverse("backoffice:dashboard")),
            has_passkey=WebAuthnCredential.objects.filter(
                user=self.request.user, confirmed=True
            ).exists(),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = CodeForm(request.POST)
        if form.is_valid():
            device = account_services.match_second_factor(request.user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                return redirect(next_url(request, reverse("backoffice:dashboard")))
            account_services.record_second_factor_failure(request.user, ip=client_ip(request))
            form.add_error(
                "token",
                _("This code is not right, or was used before. Try the next code of your app."),
            )
        return self.render_to_response(self.get_context_data(form=form))


class RecoveryCodesView(StaffRequiredMixin, ConfirmFirstMixin, View):
    """Make new recovery codes (POST, asked first: the old ones stop working) and show them
    once."""

    http_method_names = ["post"]
    confirm_title = gettext_lazy("Make new recovery codes?")
    confirm_text = gettext_lazy(
        "Your old recovery codes stop working at once; the new ones are shown once."
    )
    confirm_button = gettext_lazy("Make new recovery codes")

    def post(self, request):
        if not account_queries.has_second_factor(request.user):
            messages.error(request, _("Set up an app or a passkey first."))
            return redirect("backoffice:account")
        codes = account_services.new_recovery_codes(request.user)
        return render(
            request,
            "backoffice/account/recovery_codes.html",
            {"codes": codes, "next": reverse("backoffice:account")},
        )


_DEVICES = {"app": AppDevice, "passkey": WebAuthnCredential, "recovery": StaticDevice}


class RemoveSecondFactorView(StaffRequiredMixin, ConfirmFirstMixin, View):
    """Remove one of your own apps, passkeys or your recovery codes (POST, asked first)."""

    http_method_names = ["post"]
    confirm_title = gettext_lazy("Remove this second factor?")
    confirm_text = gettext_lazy(
        "You can no longer sign in with it. If your role needs a second factor and you have "
        "no other, you are asked to set up a new one."
    )
    confirm_button = gettext_lazy("Remove")

    def device(self):
        """Return the user's own device in the URL, or raise `Http404`."""
        model = _DEVICES.get(self.kwargs["kind"])
        mine = model.objects.filter(pk=self.kwargs["pk"], user=self.request.user) if model else None
        device = mine.first() if mine is not None else None
        if device is None:
            raise Http404
        return device

    def check_target(self) -> None:
        self.device()

    def post(self, request, kind, pk):
        device = self.device()
        account_services.remove_second_factor(device, by=request.user)
        messages.success(request, _("Removed."))
        return redirect("backoffice:account")
