"""A staff user's exports: the named column choices (presets) and the files the worker makes;
and the authenticator app with its key sealed (`AppDevice`).

Both belong to an event's list export (`kind`, a key of `backoffice.exports.KINDS`); the
columns are that list's column keys, so a preset outlives a column a role may not have
(it is left out when exported) and a column that was removed (ignored).
"""

import uuid
from binascii import unhexlify

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from goedeburen.common import crypto
from goedeburen.common.files import protected_storage, random_name
from goedeburen.events.models import Event


class ExportPreset(models.Model):
    """A named choice of columns for one list of one event.

    Without `owner` the preset is the team's: everyone who may export the list sees, uses,
    renames and deletes it (a secretariat agrees on "the caterer's list" once). With
    `owner` it is that person's alone.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("list"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("only for"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("export preset")
        verbose_name_plural = _("export presets")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "name"],
                condition=Q(owner__isnull=True),
                name="unique_shared_export_preset",
            ),
            models.UniqueConstraint(
                fields=["event", "kind", "owner", "name"],
                condition=Q(owner__isnull=False),
                name="unique_personal_export_preset",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class ExportState(models.TextChoices):
    QUEUED = "queued", _("waiting for the worker")
    RUNNING = "running", _("being made")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


def _export_path(instance, filename) -> str:
    # A random name: the file is reached only through the view that checks who asks.
    return random_name("exports", suffix="." + filename.rsplit(".", 1)[-1])


class ExportJob(models.Model):
    """A large export the worker makes: what was asked (list, filters, columns, format), by
    whom, how far it is, and the file once done, kept privately until `expires`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    format = models.CharField(max_length=10)
    query = models.TextField(blank=True)  # the list's filters, as its URL query
    columns = models.JSONField(default=list)
    language = models.CharField(max_length=10, default="nl")  # of the headers
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(
        max_length=200, blank=True, storage=protected_storage, upload_to=_export_path
    )
    filename = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["expires"], name="export_job_expires")]

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class AppDevice(TOTPDevice):
    """An authenticator app (TOTP), its key stored sealed (`common.crypto.seal_bytes`).

    django-otp keeps the key as hex in clear, where anyone who reads the database could
    make every code of the app. Here the column holds `SEALED` and the sealed key (64
    characters of its 80); the key is opened only to make or check a code, and changing
    SECRET_KEY keeps apps working while the old key is in SECRET_KEY_FALLBACKS.
    """

    SEALED = "sealed:"
    PURPOSE = "accounts.app-device"

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        seal_app_key(self)
        super().save(*args, **kwargs)

    @property
    def bin_key(self) -> bytes:
        if self.key.startswith(self.SEALED):
            return crypto.unseal_bytes(self.key.removeprefix(self.SEALED), purpose=self.PURPOSE)
        return unhexlify(self.key.encode())  # made, not yet saved


def seal_app_key(device: TOTPDevice) -> None:
    """Seal `device`'s key in place unless it is sealed already (`AppDevice`). Also for an
    app saved as django-otp's own `TOTPDevice` (the Django admin's form): no key in clear."""
    if not device.key.startswith(AppDevice.SEALED):
        sealed = crypto.seal_bytes(unhexlify(device.key.encode()), purpose=AppDevice.PURPOSE)
        device.key = AppDevice.SEALED + sealed
