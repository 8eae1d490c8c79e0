from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "goedeburen.survey"
    verbose_name = _("Evaluation survey")

    def ready(self):
        from . import logtypes, parts, placeholders

        logtypes.register()
        parts.register()
        placeholders.register()
