"""Background work of the survey: the one reminder (enqueued for its due moment when the
survey opens; `goedeburen send_survey_reminders` from cron does the same)."""

from django_tasks import task

from . import services


@task()
def send_reminders() -> int:
    """Queue the survey reminders that are due; return how many."""
    return services.send_reminders()
