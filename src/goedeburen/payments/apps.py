from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "goedeburen.payments"
    verbose_name = _("Payments")

    def ready(self):
        from . import demo, logtypes, placeholders, receivers, segments  # noqa: F401  (demo_loaded)

        logtypes.register()
        receivers.connect()
        placeholders.register()
        segments.register()
