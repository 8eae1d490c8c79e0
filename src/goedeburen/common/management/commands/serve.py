import contextlib
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site and run the background worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options):
        command = [sys.executable, "-m", "goedeburen"]
        worker = subprocess.Popen([*command, "worker"])  # noqa: S603 - our own command
        web = subprocess.Popen(  # noqa: S603 - our own command
            [*command, "runserver", "--noreload", "--insecure", f"{host}:{port}"]
        )
        self.stdout.write(
            f"Serving on http://{host}:{port}/ with a background worker; Ctrl-C stops both."
        )
        children = (web, worker)
        try:
            while all(child.poll() is None for child in children):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    web.wait(timeout=1)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        if web.returncode not in (0, -signal.SIGINT, None) and web.returncode != 1:
            sys.exit(web.returncode)
