from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "goedeburen.registration"
    verbose_name = _("Registration")

    def ready(self):
        from . import (
            demo,  # noqa: F401  (connects the demo's ticket types to `events.demo_loaded`)
            logtypes,
            versioning,
        )

        logtypes.register()
        versioning.connect()
