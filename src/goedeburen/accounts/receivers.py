"""Record sign-ins, failures and lockouts in the audit log (Django's and axes' signals); seal
the key of an app saved outside the back office (the Django admin)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from goedeburen.common.receivers import connect_receivers

from . import services
from .models import seal_app_key
from .network import client_ip


def _logged_in(request, user, **kwargs):
    services.record_login(user, ip=client_ip(request) if request is not None else "")


def _login_failed(credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    services.record_login_failure(username, ip=client_ip(request) if request is not None else "")


def _locked_out(request, username, ip_address, **kwargs):
    services.record_lockout(username or "", ip=ip_address or "")


def _passkey_saved(instance, created, **kwargs):
    # django-otp-webauthn's own view stores a new passkey; this logs it.
    if created:
        services.record_passkey_added(instance)


def connect() -> None:
    connect_receivers(
        {
            user_logged_in: _logged_in,
            user_login_failed: _login_failed,
            user_locked_out: _locked_out,
        },
        app="accounts",
    )
    connect_receivers({post_save: _passkey_saved}, app="accounts", sender=WebAuthnCredential)
    # Not through `connect_receivers`, which logs a failure and goes on: a key that cannot
    # be sealed must not be stored at all.
    pre_save.connect(_seal_app_key, sender=TOTPDevice, dispatch_uid="accounts.seal_app_key")


def _seal_app_key(instance, **kwargs):
    seal_app_key(instance)
