from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "goedeburen.checkin"
    verbose_name = _("Check-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from goedeburen.mail import composing

        from . import (  # noqa: F401  (rules)
            attachments,
            logtypes,
            personal_data,
            receivers,
            rules,
            segments,
        )

        logtypes.register()
        personal_data.register()
        receivers.connect()
        segments.register()
        # The ticket with the confirmation, the certificate with the thank-you mail.
        composing.register_attachments(attachments.for_mail)
