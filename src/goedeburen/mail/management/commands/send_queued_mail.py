from django.core.management.base import BaseCommand

from goedeburen.mail import services


class Command(BaseCommand):
    help = (
        "Queue the scheduled mails that are due (practical information, thank-you), then "
        "enqueue every mail in the outbox that is due (queued, failed and due for a retry, or "
        "left 'sending' by a worker that died). The worker sends each mail by itself; run "
        "this from cron (every few minutes) as the safety net for lost tasks. With --here, "
        "send them in this process instead, without a worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--here", action="store_true", help="Send the due mail now, in this process."
        )

    def handle(self, *args, here: bool, **options):
        self.stdout.write(f"{services.run_schedules()} scheduled mails queued.")
        if here:
            self.stdout.write(f"{services.deliver_due()} mails sent.")
        else:
            self.stdout.write(f"{services.enqueue_due()} mails enqueued.")
