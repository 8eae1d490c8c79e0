from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "goedeburen.payments"
    verbose_name = _("Payments")

    def ready(self):
        from . import (  # noqa: F401  (demo connects to demo_loaded)
            demo,
            logtypes,
            placeholders,
            receivers,
            segments,
            versioning,
        )

        logtypes.register()
        receivers.connect()
        placeholders.register()
        segments.register()
        versioning.connect()
