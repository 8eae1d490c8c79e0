import argparse
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _port(value: str) -> int:
    """A TCP port number, checked before anything is started."""
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1 to 65535)")
    return int(value)


class Command(BaseCommand):
    help = "Serve the site and run the background worker together; Ctrl-C stops both."

    # Seconds the web server and the worker get to stop before they are killed.
    stop_timeout = 10

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=_port, default=8000)

    def handle(self, *args, host: str, port: int, **options):
        # Ctrl-C and `kill` both mean "stop the site and its worker". Set explicitly: a shell
        # that starts this in the background hands it an ignored SIGINT, which the children
        # would inherit.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        command = [sys.executable, "-m", "goedeburen"]
        children: dict[str, subprocess.Popen] = {}
        stopped_by_itself = None
        try:
            # Each child leads its own process group, so that stopping it also stops what it
            # started: with DEBUG on, the worker's autoreloader runs the worker as a grandchild.
            children["worker"] = subprocess.Popen(  # noqa: S603 - our own command
                [*command, "worker"], process_group=0
            )
            children["web server"] = subprocess.Popen(  # noqa: S603 - our own command
                [*command, "runserver", "--noreload", "--insecure", f"{host}:{port}"],
                process_group=0,
            )
            self.stdout.write(
                f"Serving on http://{host}:{port}/ with a background worker; Ctrl-C stops both."
            )
            # One thread per child blocks in `wait()` and reports the child's end; the main
            # thread blocks on the report (a signal still interrupts it): no polling.
            ended: queue.SimpleQueue[str] = queue.SimpleQueue()
            for name, child in children.items():
                threading.Thread(
                    target=lambda name=name, child=child: (child.wait(), ended.put(name)),
                    daemon=True,
                ).start()
            stopped_by_itself = ended.get()
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(children.values())
        if stopped_by_itself:
            code = children[stopped_by_itself].returncode
            raise CommandError(
                f"The {stopped_by_itself} stopped unexpectedly (exit code {code}); "
                "everything was stopped."
            )

    def _stop(self, children) -> None:
        """Ask every child's process group to stop (SIGINT), then kill what is left.

        A child waits for what it started (the autoreloader for its worker), so once the
        child has ended, whatever is left of its group ignored the request: it is killed.
        """
        # A second Ctrl-C must not cut this short and leave a child behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in children:
            _signal_group(child.pid, signal.SIGINT)
        deadline = time.monotonic() + self.stop_timeout
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            if _group_alive(child.pid):
                _signal_group(child.pid, signal.SIGKILL)
            child.wait()
