from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Signing in: who signed in or failed to, lockouts, second factors, personal-data exports."""

    name = "goedeburen.accounts"
    verbose_name = _("Accounts and signing in")

    def ready(self):
        from . import logtypes, receivers

        logtypes.register()
        receivers.connect()
