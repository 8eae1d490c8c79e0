"""A real SMTP server (aiosmtpd, in this process) and the settings that send mail to it."""

import os
import socket
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from goedeburen.registration import services
from tests.registration.factories import (
    OpenEventFactory,
    QuotaFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    form_token,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """An SMTP server on a fixed port that can be stopped and started again.

    `messages` holds every mail that arrived, parsed with the `email` module.
    """

    def __init__(self, port: int):
        self.port = port
        self.messages: list[EmailMessage] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


@pytest.fixture
def smtp(settings):
    """A running SMTP server that Django's SMTP backend sends to."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once (after the commit), as if a worker were always there.

    The immediate backend cannot defer: a retry then waits for the sweep (`enqueue_due`).
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def part(message: EmailMessage, content_type: str) -> str:
    """Return the body of the `text/plain` or `text/html` part of `message`."""
    return message.get_body(preferencelist=(content_type.split("/")[1],)).get_content()


@pytest.fixture
def event(db):
    return OpenEventFactory(contact_email="secretariaat@example.org")


@pytest.fixture
def ticket(event):
    ticket = TicketTypeFactory(event=event, name_nl="Deelname", name_en="Participation")
    QuotaFactory(event=event, size=50, ticket_types=[ticket])
    return ticket


@pytest.fixture
def register(event, ticket):
    """Register through the service; keywords override the defaults."""

    def _register(*, language="nl", name="Bea Boeker", attendees=None, ticket_type=None):
        return services.register(
            event,
            booker=booker(name=name),
            attendees=attendees or [attendee(ticket_type or ticket)],
            billing=billing(),
            form_token=form_token(event),
            language=language,
        )

    return _register


ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, *, seconds: float = 30, every: float = 0.1) -> None:
    """Wait until `condition()` holds, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(every)


@pytest.fixture
def start_worker(smtp, tmp_path):
    """Return a function that starts `python -m goedeburen worker` on the test database,
    sending to `smtp`; every worker still running at the end is stopped."""
    processes = []

    def _start() -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "GOEDEBUREN_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "EMAIL_TIMEOUT": "5",
        }
        log = open(tmp_path / f"worker-{len(processes)}.log", "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "goedeburen", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        return process

    yield _start
    for process, log in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
