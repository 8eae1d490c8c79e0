from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "goedeburen.mail"
    verbose_name = _("Mail")

    def ready(self):
        from . import demo, logtypes, receivers  # noqa: F401  (demo connects to `events.demo_loaded`)

        logtypes.register()
        receivers.connect()
