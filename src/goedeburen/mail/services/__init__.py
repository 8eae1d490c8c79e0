"""The use cases of the mail domain, re-exported: `from goedeburen.mail import services`.

The outbox (queue, deliver, retry, cancel, sweep) is `outbox`; templates, schedules,
mailings, participants' choices and the contact form have a module each.
"""

from .contact import send_contact_message
from .mailings import (
    audience,
    delete_mailing,
    queue_mailing_mails,
    save_mailing,
    send_mailing_test,
    start_mailing,
)
from .outbox import (
    BATCH_SIZE,
    MAX_ATTEMPTS,
    cancel_mail,
    deliver,
    deliver_due,
    deliver_many,
    enqueue_batches,
    enqueue_due,
    queue_mail,
    queue_registration_mail,
    queue_registration_mails,
    queue_scheduled_mail,
    render_queued,
    retry_delay,
    retry_mail,
)
from .participants import (
    address_from_unsubscribe_token,
    save_mail_settings,
    set_opt_out,
    upload_publication,
)
from .schedules import run_schedules
from .templates import (
    check_placeholders,
    reset_mail_template,
    save_mail_template,
    send_test_mail,
)

__all__ = [
    "BATCH_SIZE",
    "MAX_ATTEMPTS",
    "audience",
    "address_from_unsubscribe_token",
    "cancel_mail",
    "delete_mailing",
    "check_placeholders",
    "deliver",
    "deliver_due",
    "deliver_many",
    "enqueue_batches",
    "enqueue_due",
    "queue_mail",
    "queue_mailing_mails",
    "queue_registration_mail",
    "queue_registration_mails",
    "queue_scheduled_mail",
    "render_queued",
    "reset_mail_template",
    "retry_delay",
    "retry_mail",
    "run_schedules",
    "save_mail_settings",
    "save_mail_template",
    "save_mailing",
    "send_contact_message",
    "send_mailing_test",
    "send_test_mail",
    "set_opt_out",
    "start_mailing",
    "upload_publication",
]
