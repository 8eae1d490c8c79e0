from django.core.management.base import BaseCommand, CommandError

from goedeburen.events.models import Event
from goedeburen.registration.services import recount_seats


class Command(BaseCommand):
    help = (
        "Compare every quota's seat counter with the registrations that hold its seats and "
        "report each difference; --repair sets the counter to the records (under the "
        "quota's lock). Run nightly from cron; exit code 1 when a difference was found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="set each counter that differs")
        parser.add_argument("--event", help="only the quotas of the event with this slug")

    def handle(self, *args, repair: bool = False, event: str | None = None, **options):
        found = None
        if event:
            found = Event.objects.filter(slug=event).first()
            if found is None:
                raise CommandError(f"No event with the slug {event!r}.")
        differences = recount_seats(event=found, repair=repair)
        for difference in differences:
            quota = difference.quota
            state = "repaired" if difference.repaired else "NOT repaired"
            self.stdout.write(
                f"quota {quota.pk} {quota.name!r} of event {quota.event_id}: counter "
                f"{difference.counted}, registrations hold {difference.records} ({state})"
            )
        self.stdout.write(f"{len(differences)} differences.")
        if differences:
            raise SystemExit(1)
