"""The `goedeburen` command: Django's management commands with our settings.

`goedeburen assign` is the exception: the solver on a file, run before (and without) Django.
"""

import os
import sys
import time


def main() -> None:
    if sys.argv[1:2] == ["assign"]:
        # The solver needs nothing of Django: no settings, no SECRET_KEY, no database.
        started = time.monotonic()  # the time limit counts loading the solver, too
        from goedeburen.matching.solver.cli import main as assign

        sys.exit(assign(sys.argv[2:], started=started))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goedeburen.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, to report what is missing
    except ImproperlyConfigured as error:
        # One line that names the variable, instead of a traceback through Django's internals.
        sys.exit(f"goedeburen: {error}")

    execute_from_command_line(["goedeburen", *sys.argv[1:]])


if __name__ == "__main__":
    main()
