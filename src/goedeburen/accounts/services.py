"""Use cases of signing in: record sign-ins and failures, unlock, second factors, exports.

A sign-in concerns a person, not an event: its log entries are written on each organiser
the person works for, so that the organiser's owners see them in the organiser-wide history.
"""

from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from goedeburen.common import crypto
from goedeburen.common.audit import log_action
from goedeburen.common.links import absolute_url
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Organiser

from . import tasks
from .models import AppDevice

RECOVERY_CODES = 10
_RECOVERY_DEVICE = "recovery"
_APP_DEVICE = "app"
# Recovery codes are kept as keyed digests (`common.crypto.digests`), never as typed.
RECOVERY_PURPOSE = "accounts.recovery-code"


def _organisers_of_username(username: str) -> list[Organiser]:
    return list(Organiser.objects.filter(team__user__username=username).distinct().order_by("pk"))


def _log_for_person(username: str, *, action: str, by, data: dict) -> None:
    for organiser in _organisers_of_username(username):
        log_action(organiser, action=action, by=by, data={"user": username, **data})


def record_login(user, *, ip: str) -> None:
    """Log a sign-in with a password. Side effect: a log entry per organiser of the user."""
    _log_for_person(user.get_username(), action="login.succeeded", by=user, data={"ip": ip})


def record_login_failure(username: str, *, ip: str) -> None:
    """Log a failed sign-in for a user name (nothing for a name nobody has).

    Side effect: a log entry per organiser of the user.
    """
    _log_for_person(username or "", action="login.failed", by=None, data={"ip": ip})


def record_lockout(username: str, *, ip: str) -> None:
    """Log that a user name was locked out for an address. Side effect: log entries."""
    _log_for_person(username or "", action="login.locked", by=None, data={"ip": ip})


def record_second_factor_failure(user, *, ip: str) -> None:
    """Log a wrong second-factor code after a right password. Side effect: log entries."""
    _log_for_person(user.get_username(), action="login.second_factor_failed", by=user, data={})


def unlock(user, *, organiser: Organiser, by) -> int:
    """Lift every lockout of `user`'s name, for a member of `organiser`; return how many.

    Side effects: axes' failure counters for the name deleted; a log entry on the organiser.
    """
    with transaction.atomic():
        count = reset(username=user.get_username())
        log_action(organiser, action="login.unlocked", by=by, data={"user": user.get_username()})
    return count


def record_password_reset(user) -> None:
    """After a new password by mail: lift the user name's lockouts and log it.

    Side effects: axes' failure counters for the name deleted; a log entry per organiser.
    """
    with transaction.atomic():
        reset(username=user.get_username())
        _log_for_person(user.get_username(), action="login.password_reset", by=user, data={})


def start_app_device(user) -> AppDevice:
    """Return the user's authenticator app being set up (unconfirmed), made when needed."""
    device = AppDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or AppDevice.objects.create(user=user, name=_APP_DEVICE, confirmed=False)


def confirm_app_device(device: AppDevice, *, token: str) -> bool:
    """Confirm the app being set up with a code it shows; return whether the code was right.

    Side effects: the device confirmed; a log entry per organiser of the user.
    """
    with transaction.atomic():
        locked = AppDevice.objects.select_for_update().get(pk=device.pk)
        if locked.confirmed or not locked.verify_token(_digits(token)):
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        _log_for_person(
            locked.user.get_username(),
            action="second_factor.added",
            by=locked.user,
            data={"kind": "app"},
        )
    device.confirmed = True
    return True


def record_passkey_added(device) -> None:
    """Log a passkey that django-otp-webauthn stored. Side effect: log entries."""
    _log_for_person(
        device.user.get_username(),
        action="second_factor.added",
        by=device.user,
        data={"kind": "passkey"},
    )


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once); return them.

    Side effects: the old codes deleted; a log entry per organiser of the user.
    """
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=_RECOVERY_DEVICE, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=crypto.digests(code, purpose=RECOVERY_PURPOSE)[0])
            for code in codes
        )
        _log_for_person(
            user.get_username(), action="second_factor.recovery_codes", by=user, data={}
        )
    return codes


def match_second_factor(user, token: str):
    """Return the device that `token` verifies (a code of one of the user's apps, or one of
    their recovery codes, used up), or None: `django_otp.match_token` for sealed apps and
    recovery codes kept as digests. Each device's own throttling counts a wrong code."""
    for app in AppDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        if app.verify_token(token):
            return app
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None:
        known = crypto.digests(token, purpose=RECOVERY_PURPOSE)
        # One try a code, whichever key (current or fallback) made its digest.
        found = recovery.token_set.filter(token__in=known).values_list("token", flat=True)
        if recovery.verify_token(found.first() or known[0]):
            return recovery
    return None


def remove_second_factor(device, *, by) -> None:
    """Remove an app, a passkey or the recovery codes of `by` (only their own).

    Side effects: the device deleted; a log entry per organiser of the user.
    """
    if device.user_id != by.pk:
        raise PermissionError("not the user's own device")
    with transaction.atomic():
        _log_for_person(
            by.get_username(),
            action="second_factor.removed",
            by=by,
            data={"kind": kind_of(device), "name": device.name},
        )
        device.delete()


def kind_of(device) -> str:
    """Return "app", "passkey" or "recovery" for a device."""
    if isinstance(device, TOTPDevice):  # an app, loaded as AppDevice or not
        return "app"
    if isinstance(device, StaticDevice):
        return "recovery"
    return "passkey"


def request_password_reset(email: str, *, language: str) -> None:
    """Queue the password-reset mail for `email`, whoever it belongs to (or nobody).

    The request does the same work for a known and an unknown address; the worker looks the
    address up. Side effect: a task enqueued on commit.
    """
    enqueue_on_commit(tasks.send_password_reset, email, language)


def send_password_reset(email: str, *, language: str) -> int:
    """Mail a link to choose a new password to each active user with this address.

    The link (uid and token) is made here, in the worker, and never stored. Nothing tells
    the requester whether the address is known. Side effect: mails over SMTP. Return how many.
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    sent = 0
    with translation.override(language):
        for user in form.get_users(email):
            path = reverse(
                "backoffice:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            context = {"user": user, "link": absolute_url(path)}
            subject = render_to_string("accounts/mail/password_reset_subject.txt", context)
            body = render_to_string("accounts/mail/password_reset.txt", context)
            EmailMessage(subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
            sent += 1
    return sent


def record_export(subject, *, by, what: str, rows: int) -> None:
    """Log that `by` downloaded personal data (`what`, `rows` rows) of an event or organiser.

    Side effect: a log entry on `subject`.
    """
    log_action(subject, action="export.downloaded", by=by, data={"what": what, "rows": rows})


def _digits(token: str) -> str:
    return "".join((token or "").split())
