from django.core.management.base import BaseCommand

from goedeburen.payments.services import follow_up_unpaid


class Command(BaseCommand):
    help = (
        "Send payment reminders that are due (before a hold lapses, after an invoice), "
        "cancel registrations whose invoice is long overdue, settle bank payments whose task "
        "was lost, credit and refund free cancellations whose credit note or refund is "
        "still due, and carry out online refunds whose task was lost. The worker does this "
        "at the right moments by itself; run this daily from cron as a safety net."
    )

    def handle(self, *args, **options):
        result = follow_up_unpaid()
        reminded = result.reminded + result.hold_reminders
        self.stdout.write(
            f"{reminded} reminders sent, {result.cancelled} registrations cancelled, "
            f"{result.settled} bank payments settled, "
            f"{result.credited} cancellations credited and refunded, "
            f"{result.refunded} lost refunds carried out."
        )
