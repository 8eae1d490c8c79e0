from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "goedeburen.backoffice"
    verbose_name = _("Back office")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session

        # The session's clock starts at sign-in, in the same save as the sign-in itself.
        user_logged_in.connect(start_session, dispatch_uid="backoffice.start_session")
