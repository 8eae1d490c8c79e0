from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "goedeburen.api"
    verbose_name = _("API and webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from goedeburen.common import audit

        # Not `schema` (drf-spectacular's extension, 0.16 s of imports): `urls` loads it, for
        # the processes that serve or generate the OpenAPI document.
        from . import logtypes, webhooks

        logtypes.register()
        # Every change is logged in its own transaction: the log is where webhooks start.
        audit.add_listener(webhooks.on_log_entry)
