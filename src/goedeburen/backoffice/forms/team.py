"""Forms of the team, account and sign-in screens."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import ORGANISER_ROLES, Event, Role

from .base import style


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        style(field)
    return form


def event_role_choices() -> list[tuple[str, str]]:
    return list(Role.choices)


def organiser_role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in ORGANISER_ROLES]


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length checked before anything else.

    Django sets the field's `max_length` after making it, so no validator holds it: a longer
    name went on to django-axes, whose record of the failed attempt cannot hold it (a 500).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        _styled(self)


class OrganiserInviteForm(InviteForm):
    """An invitation for one event of the organiser, or (no event) for all of them."""

    def __init__(self, *args, organiser, **kwargs):
        super().__init__(*args, roles=event_role_choices(), **kwargs)
        self.fields["event"] = forms.ModelChoiceField(
            label=_("Event"),
            queryset=Event.objects.filter(organiser=organiser).order_by("-date"),
            required=False,
            empty_label=_("All events (owner or finance only)"),
        )
        style(self.fields["event"])
        self.order_fields(["email", "event", "role"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        _styled(self)


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class NewAccountForm(forms.Form):
    """The account of someone invited who has none yet: a user name and a password."""

    username = UsernameField(label=_("User name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        _styled(self)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken; choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = get_user_model()(username=cleaned.get("username") or "", email=self.email)
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
