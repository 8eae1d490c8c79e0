"""The `goedeburen` command: Django's management commands with our settings.

`goedeburen assign` is the exception: the solver on a file, run before (and without) Django.

A command that serves no web page, run without DATABASE_URL (on the embedded SQLite under
var/, as `make run` made it) and without DEBUG set, works on this checkout's own data: it
needs no SECRET_KEY, ALLOWED_HOSTS or EMAIL_URL (settings `LOCAL`). Serving the web, checking
a deployment (`check --deploy`) or any command with a DATABASE_URL takes production's rules.
"""

import os
import sys
import time

# Commands that answer web requests: they need the deployment's settings, or stop.
SERVING = {"serve", "runserver"}
LOCAL_COMMAND = "GOEDEBUREN_LOCAL_COMMAND"


def is_local_command(args: list[str], environ) -> bool:
    """Whether `args` (after `goedeburen`) run on this checkout's own data (module doc)."""
    if not args or args[0].startswith("-") or args[0] in SERVING:
        return False
    if args[0] == "check" and "--deploy" in args:
        return False
    return not any(environ.get(name) for name in ("DATABASE_URL", "DEBUG"))


def process_started() -> float:
    """Return time.monotonic() when this process began, as near as Linux tells (10 ms).

    Starting Python and importing this package take 0.05 to 0.2 s before any line here
    runs; a time limit measured from outside the process counts them. Elsewhere (no
    /proc): now.
    """
    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as file:
            # After the command name in parentheses: state is field 3, starttime field 22.
            start_ticks = int(file.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as file:
            up = float(file.read().split()[0])
        elapsed = up - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - min(max(elapsed, 0.0), 5.0)


def not_text(args: list[str]) -> str | None:
    """Return the first of `args` that is no UTF-8 text, as the bytes given, or None.

    Python keeps such bytes of the command line as lone surrogates, which the database and
    the password hasher cannot encode: a command would stop with a traceback, after it had
    maybe written part of its work.
    """
    for arg in args:
        try:
            arg.encode()
        except UnicodeEncodeError:
            return repr(os.fsencode(arg))
    return None


def main() -> None:
    if sys.argv[1:2] == ["assign"]:
        # The solver needs nothing of Django: no settings, no SECRET_KEY, no database.
        started = process_started()  # the time limit counts starting Python, too
        from goedeburen.matching.solver.cli import main as assign

        code = assign(sys.argv[2:], started=started)  # a bad file: SystemExit(2) from here
        sys.stdout.flush()
        sys.stderr.flush()
        # The result file is closed: skip the interpreter's teardown (0.05 s of freeing
        # numpy's and HiGHS's memory at 3,000 people), which a time limit would count.
        os._exit(code)
    # `assign` above takes file names, which may be any bytes; Django's commands take text.
    bad = not_text(sys.argv[1:])
    if bad is not None:
        sys.exit(f"goedeburen: the argument {bad} is no UTF-8 text; give it in UTF-8.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goedeburen.settings")
    if is_local_command(sys.argv[1:], os.environ):
        os.environ[LOCAL_COMMAND] = "true"
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
