from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "goedeburen.matching"
    verbose_name = _("Session assignment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import demo, receivers  # noqa: F401 - connect the signal receivers
