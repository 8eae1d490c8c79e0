"""Signing in and out of the back office."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"


class LogoutView(auth_views.LogoutView):
    """Sign out with a POST; a GET asks to confirm (or sends a visitor to the sign-in page)."""

    http_method_names = ["get", "post", "options"]
    template_name = "backoffice/logout.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return super().get(request, *args, **kwargs)
