from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "goedeburen.events"
    verbose_name = _("Events and programme")

    def ready(self):
        from . import logtypes

        logtypes.register()
