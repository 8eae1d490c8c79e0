from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "goedeburen.privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from goedeburen.common.tasks import on_worker_start

        from . import logtypes, parts, receivers, tasks, versioning

        on_worker_start(tasks.start_daily_retention)
        logtypes.register()
        parts.register()
        receivers.connect()
        versioning.connect()
