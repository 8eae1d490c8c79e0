from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "goedeburen.matching"
    verbose_name = _("Session assignment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from goedeburen.mail import programme

        from . import demo, queries, receivers, segments  # noqa: F401 - demo registers itself

        receivers.connect()
        # Who goes where, once published: the personal programme mail and calendar file.
        programme.register_source(queries.programme_entries)
        segments.register()
