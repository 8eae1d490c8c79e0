"""Signing in and out of the back office, the lockout, a new password, an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from goedeburen.accounts import services as account_services
from goedeburen.backoffice.forms.base import style
from goedeburen.backoffice.forms.team import NewAccountForm, SignInForm
from goedeburen.events import teams
from goedeburen.events.exceptions import INVITATION_OTHER_ADDRESS, EventError

LOCKED_OUT = gettext_lazy(
    "Too many failed attempts to sign in with this user name from here. Try again in "
    "%(minutes)s minutes, choose a new password, or ask an owner of your team to unlock "
    "your account."
)


class LoginView(auth_views.LoginView):
    """The password step; the second factor follows (`backoffice.middleware`)."""

    permission_required = None  # declared: open to everyone
    permission_object = None
    template_name = "backoffice/login.html"
    authentication_form = SignInForm


def locked_out(request, response=None, credentials=None):
    """Answer a sign-in while its user name and address are locked out (django-axes).

    The page is the sign-in page with one message, the same whether the user name exists
    or not, so that it tells nobody which names have an account.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "backoffice/login.html",
        {
            "form": SignInForm(request),
            "lockout": LOCKED_OUT % {"minutes": minutes},
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


class LogoutView(auth_views.LogoutView):
    """Sign out with a POST; a GET asks to confirm (or sends a visitor to the sign-in page)."""

    permission_required = None  # declared: open to everyone
    permission_object = None
    http_method_names = ["get", "post", "options"]
    template_name = "backoffice/logout.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return super().get(request, *args, **kwargs)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, but the mail is sent by the worker, which also looks the address up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self.fields["email"])

    def save(self, **kwargs):
        account_services.request_password_reset(
            self.cleaned_data["email"], language=translation.get_language()
        )


class PasswordResetView(auth_views.PasswordResetView):
    permission_required = None  # declared: open to everyone
    permission_object = None
    form_class = QueuedPasswordResetForm
    template_name = "backoffice/account/password_reset.html"
    success_url = reverse_lazy("backoffice:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    permission_required = None  # declared: open to everyone
    permission_object = None
    template_name = "backoffice/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    permission_required = None  # declared: the token in the link
    permission_object = "token"
    template_name = "backoffice/account/password_reset_confirm.html"
    success_url = reverse_lazy("backoffice:password_reset_complete")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            style(field)
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout page offers a new password as a way out: it lifts the lockout.
        account_services.record_password_reset(form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    permission_required = None  # declared: open to everyone
    permission_object = None
    template_name = "backoffice/account/password_reset_complete.html"


class InvitationView(TemplateView):
    """Accept an invitation to a team: signed in with its address, or with a new account.

    The signed token in the URL is the permission: it works once, until it expires, and only
    for an account with the invitation's address.
    """

    permission_required = None  # declared: the token in the link
    permission_object = "token"
    template_name = "backoffice/account/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = teams.invitation_for_token(kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        invitation, user = self.invitation, self.request.user
        problem = None
        if invitation is None:
            problem = _("This link is not a valid invitation. Ask for a new one.")
        else:
            try:
                teams.check_invitation(invitation)
            except EventError as refused:
                problem = refused.message
        # A signed-in user opens a broken or cut-off link as well: there is no address then.
        other_address = (
            invitation is not None
            and user.is_authenticated
            and (user.email or "").lower() != invitation.email.lower()
        )
        if problem is None and other_address:
            problem = INVITATION_OTHER_ADDRESS
        kwargs.update(
            invitation=invitation,
            problem=problem,
            where=(invitation.event or invitation.organiser) if invitation else None,
            login_url=f"{reverse('backoffice:login')}?next={self.request.path}",
            has_account=invitation is not None and teams.account_exists_for(invitation.email),
        )
        if problem is None and not user.is_authenticated and not kwargs["has_account"]:
            kwargs.setdefault("form", NewAccountForm(email=invitation.email))
        return super().get_context_data(**kwargs)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=404 if self.invitation is None else 200)

    def post(self, request, *args, **kwargs):
        if self.invitation is None:
            return self.get(request, *args, **kwargs)
        if request.user.is_authenticated:
            try:
                teams.accept_invitation(self.invitation, user=request.user)
            except EventError as refused:
                messages.error(request, refused.message)
                return redirect(request.path)
            messages.success(request, _("Welcome to the team."))
            return redirect("backoffice:dashboard")
        if teams.account_exists_for(self.invitation.email):
            return redirect(f"{reverse('backoffice:login')}?next={request.path}")
        form = NewAccountForm(request.POST, email=self.invitation.email)
        if form.is_valid():
            try:
                user = teams.create_account_and_accept(
                    self.invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
            except EventError as refused:
                if refused.code == "account_exists":  # made meanwhile: sign in with it
                    messages.info(request, refused.message)
                    return redirect(f"{reverse('backoffice:login')}?next={request.path}")
                form.add_error(None, refused.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to the team."))
                return redirect("backoffice:dashboard")
        return self.render_to_response(self.get_context_data(form=form))
