"""Links that leave the site: in mails, PDFs, calendar files and payment redirects."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """Return `path` on the site as the world reaches it (`SITE_URL`)."""
    return f"{settings.SITE_URL}{path}"
