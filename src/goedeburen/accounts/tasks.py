"""Background work of signing in: thin wrappers that call a service."""

from django_tasks import task

from . import services


@task()
def send_password_reset(email: str, language: str) -> int:
    """Mail password-reset links for `email` (see `services.send_password_reset`)."""
    return services.send_password_reset(email, language=language)
