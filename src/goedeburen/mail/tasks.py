"""Background work for mail: thin wrappers that call a service.

`send_mail` is enqueued by `services.queue_mail` once the mail's transaction commits, and
again with `run_after` for each retry; `send_mail_batch` sends many over one SMTP connection
(a mailing, the sweep); `goedeburen send_queued_mail` (cron) re-enqueues any mail that is due
but whose task was lost, and runs the schedules. `queue_mailing` writes a mailing's mails.
"""

from django_tasks import task

from . import services
from .models import Mailing, OutgoingMail


@task()
def send_mail(mail_id: int) -> bool:
    """Send the outbox mail `mail_id` if it is still due; return whether it went out."""
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    return mail is not None and services.deliver(mail)


@task()
def send_mail_batch(mail_ids: list[int]) -> int:
    """Send those of the outbox mails `mail_ids` that are still due; return how many went."""
    return services.deliver_many(mail_ids)


@task()
def queue_mailing(mailing_id: int) -> int:
    """Write the outbox mails of a started mailing and enqueue them; return how many."""
    mailing = Mailing.objects.select_related("event").get(pk=mailing_id)
    return services.queue_mailing_mails(mailing)


@task()
def run_mail_schedules() -> int:
    """Queue the scheduled mails that are due (practical information, thank-you); return
    how many."""
    return services.run_schedules()
