"""A real SMTP server (aiosmtpd, in this process) and the settings that send mail to it.

A plugin of the whole suite (`tests/conftest.py`), so any test can ask for `smtp`.
"""

import socket
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """An SMTP server on a fixed port that can be stopped and started again.

    `messages` holds every mail that arrived, parsed with the `email` module. `replies` makes
    it answer a command with a refusal instead, as real servers do: `{"RCPT": "550 5.1.1 No
    such user"}`, `{"DATA": "552 5.3.4 Message too big"}`.
    """

    def __init__(self, port: int):
        self.port = port
        self.messages: list[EmailMessage] = []
        self.replies: dict[str, str] = {}
        self._controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if "RCPT" in self.replies:
            return self.replies["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if "DATA" in self.replies:
            return self.replies["DATA"]
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
