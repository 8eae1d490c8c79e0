from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from goedeburen.api import webhooks


class Command(BaseCommand):
    help = _(
        "Enqueue webhook deliveries that are due (cron safety net) and delete finished ones "
        "older than 30 days."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--here", action="store_true", help=_("Send the due deliveries in this process.")
        )

    def handle(self, *args, here=False, **options):
        if here:
            sent = sum(webhooks.deliver(pk) == "delivered" for pk in webhooks.due_ids())
            self.stdout.write(_("%(count)d deliveries sent.") % {"count": sent})
        else:
            count = webhooks.enqueue_due()
            self.stdout.write(_("%(count)d deliveries enqueued.") % {"count": count})
        purged = webhooks.purge_old()
        self.stdout.write(_("%(count)d old deliveries deleted.") % {"count": purged})
