from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from goedeburen.privacy import services


class Command(BaseCommand):
    help = (
        "Erase what the retention periods say is due: special-category data N days after "
        "each event, anonymised attendees M months after it, invoices after 7 years. "
        "Idempotent; run it daily from cron (the worker also does it by itself)."
    )

    def handle(self, *args, **options):
        report = services.apply_retention()
        if not report.lines:
            self.stdout.write(_("Nothing was due for erasure."))
        for event, what, count in report.lines:
            self.stdout.write(f"{event or '-'}: {what} {count}")
