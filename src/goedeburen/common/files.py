"""Files that only a view may hand out, after it checked who asks (the publication).

They live under `PROTECTED_ROOT`, outside `MEDIA_ROOT` (which the web server serves to
anyone), under random names. `protected_response` answers with `X-Accel-Redirect` when
`PROTECTED_ACCEL_PREFIX` is set (nginx then sends the file from an `internal` location,
see docs/deploy.md) and streams the file from Django otherwise.
"""

import secrets
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.http import FileResponse, HttpResponse
from django.utils.functional import cached_property


class ProtectedStorage(FileSystemStorage):
    """The storage under `PROTECTED_ROOT`; it has no URL, so no template can link a file."""

    def __init__(self):
        super().__init__(base_url=None)
        setting_changed.connect(self._protected_root_changed)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PROTECTED_ROOT)

    def _protected_root_changed(self, *, setting, **kwargs):
        if setting == "PROTECTED_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("A protected file has no public URL; a view hands it out.")


_storage = ProtectedStorage()


def protected_storage() -> ProtectedStorage:
    """Return the storage of protected files (a callable, for `FileField(storage=…)`)."""
    return _storage


def random_name(folder: str, *, suffix: str) -> str:
    """Return a file name under `folder` that nobody can guess (192 random bits)."""
    return f"{folder}/{secrets.token_urlsafe(24)}{suffix}"


def protected_response(file, *, filename: str, content_type: str) -> HttpResponse:
    """Return a download of the protected `file` (a `FieldFile`) as `filename`."""
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    prefix = settings.PROTECTED_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(file.name)}"
        response["Content-Disposition"] = disposition
        return response
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = disposition
    return response
