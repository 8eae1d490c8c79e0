"""Reads about signing in: lockouts and a user's second factors."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_otp import device_classes
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models import AppDevice


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Return those of `usernames` that are locked out now, from any address (one query)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


@dataclass(frozen=True)
class SecondFactors:
    """A user's confirmed second factors."""

    apps: list
    passkeys: list
    recovery_codes_left: int
    has_recovery_device: bool

    @property
    def any(self) -> bool:
        """Whether the user has set up a second factor (an app or a passkey)."""
        return bool(self.apps or self.passkeys)


def second_factors(user) -> SecondFactors:
    """Return the user's confirmed apps, passkeys and how many recovery codes are left."""
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return SecondFactors(
        apps=list(AppDevice.objects.filter(user=user, confirmed=True).order_by("pk")),
        passkeys=list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk")),
        recovery_codes_left=recovery.token_set.count() if recovery else 0,
        has_recovery_device=recovery is not None,
    )


def has_second_factor(user) -> bool:
    """Tell whether the user has a confirmed app or passkey (two queries at most)."""
    return (
        AppDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


@functools.cache
def _confirmed_device_sql() -> str:
    exists = []
    for model in device_classes():
        user, confirmed = model._meta.get_field("user").column, model._meta.get_field("confirmed")
        exists.append(
            f"EXISTS (SELECT 1 FROM {model._meta.db_table} "  # noqa: S608 - names from the models only
            f"WHERE {user} = %s AND {confirmed.column} = %s)"
        )
    return "SELECT " + (" OR ".join(exists) or "0 = 1")


def has_confirmed_device(user) -> bool:
    """Tell whether the user has any confirmed django-otp device (app, passkey or recovery
    codes): what `django_otp.user_has_device` answers, in one query instead of one a device
    class, since every back-office request asks it.

    Written out (once a process, from the device models) rather than built with the ORM:
    building the three querysets cost 1 ms of CPU, running the query a tenth of that.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    sql = _confirmed_device_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, True] * sql.count("EXISTS"))
        return bool(cursor.fetchone()[0])
