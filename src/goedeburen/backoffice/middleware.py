"""What every back-office request goes through, before any view's own permission check.

1. No response is stored anywhere: `Cache-Control: no-store` (and the rest of Django's
   `never_cache`) on every back-office response, pages and downloads alike, with personal
   data or without, errors included.
2. A session lasts `SESSION_COOKIE_AGE` (8 hours) from sign-in, and ends after
   `SESSION_IDLE_SECONDS` (30 minutes) without a request for anyone whose roles see money or
   special-category data (`events.rules.has_sensitive_role`).
3. Someone who has a second factor gives it before anything else; an organiser's owner or
   anyone with a finance role (`events.rules.needs_second_factor`) who has none is sent to
   set one up and reaches no other screen until then.
"""

import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice

from goedeburen.accounts.queries import has_confirmed_device, has_second_factor
from goedeburen.events.rules import has_sensitive_role, needs_second_factor

BACKOFFICE_PATH = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]+)?/)?backoffice/")
# Session keys: when the user signed in, and when they were last seen (seconds since epoch).
AUTH_AT = "goedeburen_auth_at"
SEEN_AT = "goedeburen_seen_at"
# "Last seen" is written at most this often, so that not every request writes the session.
SEEN_RESOLUTION = 60
# Screens reachable after the password and before the second factor: signing in and out,
# giving or setting up the second factor (and passkeys' own endpoints), a new password.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "backoffice:login",
        "backoffice:logout",
        "backoffice:two_factor.verify",
        "backoffice:two_factor.setup",
        "backoffice:password_reset",
        "backoffice:password_reset_done",
        "backoffice:password_reset_confirm",
        "backoffice:password_reset_complete",
    }
)


def _now() -> float:
    return time.time()


def start_session(sender, request, user, **kwargs) -> None:
    """Note when the user signed in (the `user_logged_in` signal)."""
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_AT] = request.session[SEEN_AT] = _now()


def is_backoffice(path: str) -> bool:
    return bool(BACKOFFICE_PATH.match(path))


class BackofficeSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_backoffice(request.path_info):
            add_never_cache_headers(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_backoffice(request.path_info) or not request.user.is_authenticated:
            return None
        return self._session_ended(request) or self._second_factor_missing(request)

    def _session_ended(self, request):
        session, now = request.session, _now()
        signed_in = session.get(AUTH_AT)
        if signed_in is None:
            session[AUTH_AT] = session[SEEN_AT] = now
            return None
        seen = session.get(SEEN_AT, signed_in)
        if now - signed_in > settings.SESSION_COOKIE_AGE:
            return self._end(request, _("You were signed in for 8 hours: sign in again."))
        idle = now - seen > settings.SESSION_IDLE_SECONDS
        if idle and has_sensitive_role(request.user):
            return self._end(
                request,
                _("You were away for more than 30 minutes, so you were signed out: sign in again."),
            )
        if now - seen > SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return None

    def _end(self, request, message: str):
        logout(request)
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())

    def _second_factor_missing(self, request):
        user = request.user
        match = request.resolver_match
        if match is not None and (
            match.view_name in OPEN_BEFORE_SECOND_FACTOR or match.namespace == "otp_webauthn"
        ):
            return None
        if user.is_verified():
            # A recovery code gets one in, but whoever must have an app or a passkey and has
            # none left (only recovery codes) sets one up again first.
            if not isinstance(user.otp_device, StaticDevice) or not needs_second_factor(user):
                return None
            if has_second_factor(user):
                return None
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("backoffice:two_factor.setup")
            )
        if has_confirmed_device(user):
            target = "backoffice:two_factor.verify"
        elif needs_second_factor(user):
            target = "backoffice:two_factor.setup"
        else:
            return None
        return redirect_to_login(request.get_full_path(), login_url=reverse(target))
