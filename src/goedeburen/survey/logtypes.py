"""The log actions of the survey, with their sentences."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.logtypes import LogType, registry


def register() -> None:
    registry.register(
        LogType(
            action="survey.saved",
            sentence=_("Evaluation survey saved"),
            example={"anonymous": True},
        ),
        LogType(
            action="survey.question_added",
            sentence=_("Survey question added: %(label)s"),
            example={"label": "Hoe was de dag?"},
        ),
        LogType(
            action="survey.question_deleted",
            sentence=_("Survey question deleted: %(label)s"),
            example={"label": "Hoe was de dag?"},
        ),
        LogType(
            action="survey.state_changed",
            sentence=_("Evaluation survey is now: %(state)s"),
            example={"state": "open"},
        ),
    )
