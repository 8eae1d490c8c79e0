"""Background work for mail: thin wrappers that call a service.

`send_mail` is enqueued by `services.queue_mail` once the mail's transaction commits, and
again with `run_after` for each retry; `goedeburen send_queued_mail` (cron) re-enqueues any
mail that is due but whose task was lost.
"""

from django_tasks import task

from . import services
from .models import OutgoingMail


@task()
def send_mail(mail_id: int) -> bool:
    """Send the outbox mail `mail_id` if it is still due; return whether it went out."""
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    return mail is not None and services.deliver(mail)
