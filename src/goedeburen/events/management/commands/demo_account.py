import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from goedeburen.events.models import Event, Role, TeamMember


class Command(BaseCommand):
    help = (
        "Create the demo organiser account (owner of the demo organiser's events) and print "
        "its login. For local demos only: it refuses to run with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="organisator")
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "goedeburen"))

    def handle(self, *args, username: str, password: str, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("The demo account is for local demos only (DEBUG is off).")
        event = Event.objects.filter(slug="goede-buren").select_related("organiser").first()
        if event is None:
            raise CommandError("Load the demo first: goedeburen demo")
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        TeamMember.objects.get_or_create(
            organiser=event.organiser, user=user, event=None, role=Role.OWNER
        )
        self.stdout.write(
            "\nDemo organiser account — back office at http://127.0.0.1:8000/backoffice/\n"
            f"  user name: {username}\n  password:  {password}\n"
        )
