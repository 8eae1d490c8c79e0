from django.core.management.base import BaseCommand

from goedeburen.survey import services


class Command(BaseCommand):
    help = "Queue the one reminder of each open evaluation survey that is due (daily from cron)."

    def handle(self, *args, **options):
        self.stdout.write(str(services.send_reminders()))
