from django.core.management.base import BaseCommand

from goedeburen.registration.services import release_expired_holds


class Command(BaseCommand):
    help = (
        "Cancel held registrations (awaiting approval or payment) whose hold has ended. "
        "The worker does this by itself at each hold's end; this is for cron or by hand."
    )

    def handle(self, *args, **options):
        released = release_expired_holds()
        self.stdout.write(f"{released} registrations released.")
