from django.core.management.base import BaseCommand

from goedeburen.events.demo import load_demo


class Command(BaseCommand):
    help = "Load the Goede buren demo conference (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--upcoming",
            action="store_true",
            help="Move the event to the first Friday at least six weeks ahead, "
            "so that registration can be tried. Without it the real date (26 January 2018).",
        )

    def handle(self, *args, upcoming: bool, **options):
        event, changed = load_demo(upcoming=upcoming)
        state = f"{changed} rows written" if changed else "already up to date"
        self.stdout.write(f"Demo conference '{event.name_nl}' on {event.date:%Y-%m-%d}: {state}.")
