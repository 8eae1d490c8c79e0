import os
from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from goedeburen.accounts.models import AppDevice
from goedeburen.accounts.services import RECOVERY_PURPOSE
from goedeburen.common import crypto
from goedeburen.events.models import Event, Role, TeamMember


class Command(BaseCommand):
    help = (
        "Create the demo organiser account (owner of the demo organiser's events) and print "
        "its login: password, the key of its authenticator app and fresh recovery codes (an "
        "organiser's owner signs in with a second factor). For local demos only: it refuses "
        "to run with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="organisator")
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "goedeburen"))

    def handle(self, *args, username: str, password: str, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("The demo account is for local demos only (DEBUG is off).")
        _check_username(username)
        if not password.strip():
            raise CommandError("--password: the login form refuses an empty password.")
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
        # The owner of an organiser signs in with a second factor, in the demo as anywhere:
        # an authenticator app with the key below, or one of the recovery codes (new each run).
        app = AppDevice.objects.filter(user=user, confirmed=True).first()
        if app is None:
            app = AppDevice.objects.create(user=user, name="demo", confirmed=True)
        recovery, _new = StaticDevice.objects.get_or_create(user=user, name="recovery")
        recovery.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(5)]
        StaticToken.objects.bulk_create(
            StaticToken(device=recovery, token=crypto.digests(code, purpose=RECOVERY_PURPOSE)[0])
            for code in codes
        )
        key = b32encode(app.bin_key).decode().rstrip("=")
        self.stdout.write(
            "\nDemo organiser account — back office at http://127.0.0.1:8000/backoffice/\n"
            f"  user name: {username}\n  password:  {password}\n"
            f"  second step: a code of an authenticator app with key {key}\n"
            f"               or one of these recovery codes (each works once): {' '.join(codes)}\n"
        )


def _check_username(username: str) -> None:
    """Refuse a user name the login form would refuse, before anything is written."""
    field = get_user_model()._meta.get_field("username")
    try:
        field.clean(username, None)
    except ValidationError as invalid:
        raise CommandError(f"--username {username!r}: {' '.join(invalid.messages)}") from invalid
