"""`goedeburen worker --burst` forked from a process that has loaded Django once.

Each burst worker spent 1.4 s of CPU (1.5 to 2 s of wall time) starting Python and Django
before it looked at the queue, and the tests drain the queue about a hundred times. As
`gunicorn --preload` does for web workers, a server here loads Django once and forks a
child for each drain: the child is a new process, with its own database connection and
memory, that runs the command as `python -m goedeburen worker --burst` does, its output in
the drain's log. The server itself never opens a database connection nor fills a cache, so
a child starts as clean as a new process would.

One server per environment; only EMAIL_URL (each test's SMTP server has a port of its own)
and pytest's name of the running test may differ between the drains a server makes: the
child reads the mail settings from its EMAIL_URL as the settings module does.
"""

import atexit
import json
import os
import select
import signal
import subprocess
import sys

from tests.processes import ROOT

# What may differ between two drains of one server (module doc).
_PER_DRAIN = {"EMAIL_URL", "PYTEST_CURRENT_TEST"}
# Imported once in the server, not in each child: what the tasks of a drain render with.
_PRELOAD = (
    "goedeburen.common.management.commands.worker",
    "django_tasks_db.management.commands.db_worker",
    "goedeburen.checkin.pdf.tickets",
    "goedeburen.payments.pdf",
    "goedeburen.events.calendar",
)


class _Server:
    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "tests.forkserver"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )

    def drain(self, env: dict[str, str], log: str, *, timeout: float) -> int:
        """Run one burst worker with `env`, its output to `log`; return its exit code."""
        self.process.stdin.write(json.dumps({"env": env, "log": log}).encode() + b"\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        answer = self.process.stdout.readline() if ready else b""
        if not answer:
            self.stop()
            raise AssertionError(f"the burst worker gave no answer within {timeout} s; see {log}")
        return int(answer)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


_servers: dict[frozenset, _Server] = {}


def drain(env: dict[str, str], log: str, *, timeout: float = 600) -> int:
    """Run `goedeburen worker --burst` with `env`, its output to the file `log`; return its
    exit code. A server for this environment is started at the first drain; one of another
    environment is stopped then (a test process keeps one)."""
    key = frozenset((name, value) for name, value in env.items() if name not in _PER_DRAIN)
    if key not in _servers:
        _stop_all()
        _servers[key] = _Server(env)
    return _servers[key].drain(env, log, timeout=timeout)


@atexit.register
def _stop_all() -> None:
    while _servers:
        _servers.popitem()[1].stop()


# The server ----------------------------------------------------------------------------


def _child(env: dict[str, str], log: str) -> int:
    """In the forked child: become `goedeburen worker --burst` with `env`; return its code."""
    import logging

    from django.conf import settings
    from django.db import connections

    from goedeburen import __main__ as command
    from goedeburen.settings import _email_settings

    with open(log, "ab") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["goedeburen", "worker", "--burst"]
    code = 0
    try:
        settings.EMAIL_URL = env["EMAIL_URL"]
        for name, value in _email_settings(env["EMAIL_URL"]).items():
            setattr(settings, name, value)
        command.main()
    except SystemExit as stop:
        if isinstance(stop.code, str):  # as Python reports sys.exit("message")
            print(stop.code, file=sys.stderr)
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:  # noqa: BLE001 - reported in the log, as an uncaught one would be
        import traceback

        traceback.print_exc()
        code = 1
    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def _serve() -> None:
    import importlib
    import random

    import django

    from goedeburen import __main__ as command

    # As `python -m goedeburen worker --burst` decides before it loads the settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goedeburen.settings")
    if command.is_local_command(["worker", "--burst"], os.environ):
        os.environ[command.LOCAL_COMMAND] = "true"
    django.setup()
    for module in _PRELOAD:
        importlib.import_module(module)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                random.seed()  # not the server's sequence, shared by every child
                code = _child(request["env"], request["log"])
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        answers.write(b"%d\n" % os.waitstatus_to_exitcode(status))
        answers.flush()


if __name__ == "__main__":
    _serve()
