"""The test client that signs staff in as they really are: with a verified second factor.

`force_login` gives the user an authenticator app (a TOTP device) if they have none and
marks the session verified through django-otp's own `login`, as giving a code would. Tests
of the second factor itself use `force_login_password_only`: signed in, not yet verified.
Nothing of this is in `src/`: production has no way around the second factor.
"""

from django.http import HttpRequest
from django.test import Client
from django_otp import login as otp_login
from django_otp.oath import TOTP

from goedeburen.accounts.models import AppDevice


def verified_device(user) -> AppDevice:
    """Return the user's confirmed authenticator app, made when they have none."""
    device = AppDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or AppDevice.objects.create(user=user, name="tests", confirmed=True)


class StaffClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        request = HttpRequest()
        request.session = self.session
        request.user = user
        otp_login(request, verified_device(user))
        request.session.save()

    def force_login_password_only(self, user, backend=None):
        """Sign in with the password step only (no second factor given yet)."""
        super().force_login(user, backend)


def current_code(device: AppDevice, *, steps_ahead: int = 0) -> str:
    """Return the code an authenticator app with the device's key shows now (or later)."""
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time += steps_ahead * device.step
    return str(totp.token()).zfill(device.digits)
